import { z } from "zod";
import type { Role } from "./roles.ts";

/**
 * Two-factor sign-in (RFC 6238 TOTP, ADR 0022): the parameters every
 * authenticator app supports, and the one-time recovery codes.
 */
export const TOTP = { algorithm: "SHA1", digits: 6, period: 30 } as const;
/** A code of the step before or after is accepted too (clocks drift; typing takes time). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** The issuer shown in the authenticator app. */
export const TOTP_ISSUER = "Lull";
/** Between the password and the code: how long the half-signed-in state lasts. */
export const SECOND_FACTOR_TTL_MS = 5 * 60 * 1000;

/** Staff see workers' data: they can (and should) add a second factor. */
export const TWO_FACTOR_ROLES: readonly Role[] = [
  "REVIEWER",
  "ADMIN",
  "DATA_STEWARD",
  "REPRESENTATIVE",
];

/** "abcde-fgh2j": 10 characters of base32's alphabet (50 bits); no 0, 1, 8 or 9 to mistake. */
const RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
export const RECOVERY_CODE_PATTERN = /^[a-z2-7]{5}-[a-z2-7]{5}$/;

export function formatRecoveryCode(random: Uint8Array): string {
  const chars = Array.from(random.slice(0, 10), (b) => RECOVERY_ALPHABET[b % 32]!);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

export type SecondFactorCode = { kind: "totp"; code: string } | { kind: "recovery"; code: string };

/** What a person types: six digits (spaces allowed), or a recovery code (any case, dash optional). */
export function readSecondFactorCode(typed: string): SecondFactorCode | null {
  const compact = typed.replace(/\s+/g, "");
  if (/^\d{6}$/.test(compact)) return { kind: "totp", code: compact };
  const lower = compact.toLowerCase().replace(/-/g, "");
  if (/^[a-z2-7]{10}$/.test(lower)) {
    return { kind: "recovery", code: `${lower.slice(0, 5)}-${lower.slice(5)}` };
  }
  return null;
}

export const SecondFactorSchema = z.object({
  code: z
    .string({ required_error: "Enter the 6-digit code from your authenticator app." })
    .max(64, "Enter the 6-digit code from your authenticator app, or a recovery code.")
    .transform((typed, ctx) => {
      const code = readSecondFactorCode(typed);
      if (!code) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: "Enter the 6-digit code from your authenticator app, or a recovery code.",
        });
        return z.NEVER;
      }
      return code;
    }),
  redirectTo: z.string().max(2048).optional(),
});

/** Setting up or turning off: an authenticator code only (a recovery code cannot confirm a new secret). */
export const AuthenticatorCodeSchema = z.object({
  code: z
    .string({ required_error: "Enter the 6-digit code from your authenticator app." })
    .max(64)
    .transform((typed) => typed.replace(/\s+/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app.")),
});

export const INVALID_CODE_MESSAGE =
  "That code is not right, or was already used. Wait for the next code and try again.";
