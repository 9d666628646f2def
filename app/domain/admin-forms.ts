import { z } from "zod";
import { ROLES } from "./roles.ts";

/** Query string of the people directory (/admin/users?q=&role=&page=). */
export const PeopleSearchSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  role: z.enum(ROLES).nullable().catch(null),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

/** Query string of the audit log (/admin/audit?page=). */
export const AuditLogSearchSchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function searchParamsObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}
