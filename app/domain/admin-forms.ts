import { z } from "zod";
import { ROLES } from "./roles.ts";
import { calendarDate } from "./calendar-date.ts";
import { PurposeKeySchema } from "./purposes.ts";

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

/** The security audit export (ADR 0042): local days, both included, and the purpose named. */
export const AuditExportSchema = z
  .object({
    from: calendarDate("Enter the first day as YYYY-MM-DD."),
    to: calendarDate("Enter the last day as YYYY-MM-DD."),
    purpose: PurposeKeySchema,
  })
  .refine((v) => v.from <= v.to, { message: "The last day is before the first.", path: ["to"] });

export function searchParamsObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}
