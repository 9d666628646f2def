import { z } from "zod";
import { ROLES } from "./roles.ts";

/** Query string of the people directory (/admin/people?q=&role=&page=). */
export const PeopleSearchSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  role: z.enum(ROLES).nullable().catch(null),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

/** Deactivate or reactivate one account. */
export const AccountStatusSchema = z.object({
  intent: z.enum(["deactivate", "reactivate"], {
    errorMap: () => ({ message: "Choose deactivate or reactivate." }),
  }),
  userId: z.string({ required_error: "Choose whose account to change." }).min(1).max(64),
});

/** Query string of the audit log (/admin/audit?page=). */
export const AuditLogSearchSchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function searchParamsObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}
