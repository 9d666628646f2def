import { z } from "zod";

/**
 * The sign-in form, shared by the browser (instant validation) and the
 * server (the only validation that counts).
 */
export const SignInSchema = z.object({
  email: z
    .string({ required_error: "Enter your work email address." })
    .trim()
    .toLowerCase()
    .email("Enter an email address like name@company.com.")
    .max(254, "That email address is too long."),
  password: z
    .string({ required_error: "Enter your password." })
    .min(1, "Enter your password.")
    .max(1024, "That password is too long."),
  redirectTo: z.string().max(2048).optional(),
});

export type SignInInput = z.infer<typeof SignInSchema>;

/** The one message for an unknown email and a wrong password alike. */
export const INVALID_CREDENTIALS_MESSAGE =
  "That email and password do not match an account. Check both and try again.";

export const DEACTIVATED_MESSAGE =
  "This account has been deactivated. Ask your administrator if you think this is a mistake.";

/** Password sign-in is switched off for everyone but the break-glass admins (ADR 0039). */
export const PASSWORD_SIGN_IN_OFF_MESSAGE =
  "Password sign-in is switched off: sign in with your company account instead.";
