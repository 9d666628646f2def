import { z } from "zod";
import { ROLES, type Role } from "./roles.ts";
import { PurposeKeySchema } from "./purposes.ts";

/** A set-password link works once, for 72 hours. */
export const SETUP_LINK_TTL_MS = 72 * 60 * 60 * 1000;

/** Shown on the set-password page, by the server and the browser alike. */
export const SETUP_LINK_EXPIRED_MESSAGE =
  "This link has expired or was already used. Ask your privacy office for a new one.";
export const MIN_PASSWORD_LENGTH = 12;
/** An admin's look at one worker's data lasts this long before a new reason is needed. */
export const EXCEPTIONAL_ACCESS_TTL_MS = 30 * 60 * 1000;
export const MIN_ACCESS_REASON_LENGTH = 20;

/** What Intl said of each zone name asked about (at most 2,000 names are remembered). */
const timeZoneAnswers = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  const known = timeZoneAnswers.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  // Asking Intl costs ~50 µs, and an import file names the same few zones thousands of times.
  if (timeZoneAnswers.size >= 2000) timeZoneAnswers.clear();
  timeZoneAnswers.set(zone, valid);
  return valid;
}

// Field schemas shared by the create form, the edit form and the CSV import,
// so a row and a form say the same thing about the same mistake.
export const nameField = z
  .string({ required_error: "Enter the person's name." })
  .trim()
  .min(1, "Enter the person's name.")
  .max(120, "The name must be at most 120 characters.");

export const emailField = z
  .string({ required_error: "Enter a work email address." })
  .trim()
  .toLowerCase()
  .email("Enter an email address like name@company.com.")
  .max(254, "The email address must be at most 254 characters.");

export const roleField = z.enum(ROLES, {
  errorMap: () => ({ message: "The role must be Worker, Reviewer or Admin." }),
});

export const managerEmailField = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z
    .string()
    .trim()
    .toLowerCase()
    .email("The manager's email must be an email address, or left empty for no manager.")
    .optional()
    .transform((v) => v ?? null),
);

export const timezoneField = z
  .string({ required_error: "Choose a time zone, such as Europe/Berlin." })
  .trim()
  .min(1, "Choose a time zone, such as Europe/Berlin.")
  .refine(isValidTimeZone, "That is not a time zone; use a name such as Europe/Berlin or UTC.");

/** Create one account (the admin's form). */
export const CreateUserSchema = z.object({
  name: nameField,
  email: emailField,
  role: roleField,
  managerEmail: managerEmailField,
  timezone: timezoneField,
});
export type CreateUserInput = z.output<typeof CreateUserSchema>;

/** Every change an admin makes on one person's page. */
export const UserActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("update"),
      role: roleField,
      managerEmail: managerEmailField,
      timezone: timezoneField,
    }),
    z.object({ intent: z.literal("deactivate") }),
    z.object({ intent: z.literal("reactivate") }),
    z.object({ intent: z.literal("issue-link") }),
  ],
  { errorMap: () => ({ message: "Choose what to change." }) },
);
export type UserActionInput = z.output<typeof UserActionSchema>;

/** The set-password page (reached through a one-time link). */
const NewPasswordSchema = z
  .string({ required_error: "Choose a password." })
  .min(MIN_PASSWORD_LENGTH, `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024, "The password must be at most 1,024 characters.");

export const SetPasswordSchema = z
  .object({
    password: NewPasswordSchema,
    confirm: z.string({ required_error: "Type the password again." }),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords are not the same.",
  });

/** Changing one's own password: the current one first (a borrowed session cannot do it). */
export const ChangePasswordSchema = z
  .object({
    current: z
      .string({ required_error: "Enter your current password." })
      .max(1024, "That password is too long."),
    password: NewPasswordSchema,
    confirm: z.string({ required_error: "Type the new password again." }),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords are not the same.",
  })
  .refine((v) => v.password !== v.current, {
    path: ["password"],
    message: "Choose a password different from your current one.",
  });

/** Why an admin needs to open one worker's data. */
export const ExceptionalAccessSchema = z.object({
  reason: z
    .string({ required_error: "Say why you need to open this worker's data." })
    .trim()
    .min(
      MIN_ACCESS_REASON_LENGTH,
      `The reason must be at least ${MIN_ACCESS_REASON_LENGTH} characters: the worker will read it.`,
    )
    .max(500, "The reason must be at most 500 characters."),
  /** The declared purpose of this access (ADR 0042), resolved against the registry by the action. */
  purpose: PurposeKeySchema,
});

export type AdminChange = { role?: Role; active?: boolean };

/**
 * The organisation must always keep an admin who can sign in: a change that
 * would demote or deactivate an active admin while no *other* active admin
 * with a password exists is refused, whoever makes it. (An admin who has not
 * yet set their password does not count: their link may lapse.) Returns the
 * reason, or null when the change is allowed.
 */
export function lastAdminRefusal(
  target: { role: Role; active: boolean; isSelf: boolean },
  change: AdminChange,
  otherUsableAdmins: number,
): string | null {
  const isActiveAdmin = target.role === "ADMIN" && target.active;
  const staysActiveAdmin =
    (change.role ?? target.role) === "ADMIN" && (change.active ?? target.active);
  if (!isActiveAdmin || staysActiveAdmin || otherUsableAdmins > 0) return null;
  return target.isSelf
    ? "You are the last active admin: make someone else an admin first."
    : "This is the last active admin who can sign in: make someone else an admin first.";
}

/** Every time zone the runtime knows, for the form's suggestions (UTC first). */
export function timeZoneNames(): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
  return ["UTC", ...zones];
}
