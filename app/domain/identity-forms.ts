import { z } from "zod";
import { roleField } from "./user-admin.ts";

/**
 * The Identity page's forms (ADR 0038), shared by the browser and the
 * server (the only check that counts).
 */
export const PASSWORD_SIGN_IN_CHOICES = ["EVERYONE", "BREAK_GLASS_ONLY"] as const;

export const PASSWORD_SIGN_IN_LABELS: Record<(typeof PASSWORD_SIGN_IN_CHOICES)[number], string> = {
  EVERYONE: "Everyone may also sign in with a Lull password",
  BREAK_GLASS_ONLY: "Single sign-on only, except the break-glass admins below",
};

/** At most this many break-glass admins: a handful of named people, not a team. */
export const MAX_BREAK_GLASS = 10;

const emailList = z
  .string()
  .max(5000, "That list is too long.")
  .default("")
  .transform((text, ctx) => {
    const emails = [
      ...new Set(
        text
          .split(/[\s,;]+/)
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const bad = emails.filter((e) => !z.string().email().safeParse(e).success);
    if (bad.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `Not an email address: ${bad.slice(0, 3).join(", ")}. Give one address per line.`,
      });
      return z.NEVER;
    }
    if (emails.length > MAX_BREAK_GLASS) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `Name at most ${MAX_BREAK_GLASS} break-glass admins.`,
      });
      return z.NEVER;
    }
    return emails;
  });

export const groupNameField = z
  .string({ required_error: "Enter the group's name as your directory sends it." })
  .trim()
  .min(1, "Enter the group's name as your directory sends it.")
  .max(200, "A group name is at most 200 characters.");

export const IdentityActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("settings"),
      passwordSignIn: z.enum(PASSWORD_SIGN_IN_CHOICES, {
        errorMap: () => ({ message: "Choose who may sign in with a password." }),
      }),
      breakGlassEmails: emailList,
      justInTimeProvisioning: z
        .literal("on")
        .optional()
        .transform((v) => v === "on"),
    }),
    z.object({ intent: z.literal("add-group"), group: groupNameField, role: roleField }),
    z.object({ intent: z.literal("remove-group"), key: z.string().min(1).max(200) }),
    z.object({
      intent: z.literal("create-token"),
      name: z
        .string({ required_error: "Name the token after what uses it, e.g. “Entra ID”." })
        .trim()
        .min(1, "Name the token after what uses it, e.g. “Entra ID”.")
        .max(80, "A token's name is at most 80 characters."),
    }),
    z.object({ intent: z.literal("revoke-token"), tokenId: z.string().min(1).max(64) }),
  ],
  { errorMap: () => ({ message: "Choose what to change." }) },
);
export type IdentityAction = z.output<typeof IdentityActionSchema>;
