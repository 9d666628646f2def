import { z } from "zod";
import { POSTGRES_URL, databaseProvider } from "./database-url.ts";

/**
 * The environment, parsed once at start-up. A missing or malformed value
 * fails fast with a message naming the variable. Every variable is
 * documented in `.env.example`.
 */
const DEV_SESSION_SECRET = "lull-development-secret-do-not-use-in-production";

/** An optional variable: unset and empty both mean "not configured". */
function optionalText<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** A SQLite file (the default) or a PostgreSQL server for several nodes (ADR 0032). */
    DATABASE_URL: z
      .string()
      .regex(
        /^(file:|postgres(ql)?:\/\/)/,
        "DATABASE_URL must be a SQLite file URL such as file:./data/lull.db or a postgresql:// URL",
      )
      .default("file:./data/lull.db"),
    /** Where records export archives are written (ADR 0033). Default: exports/ beside the
     * SQLite file, or ./data/exports with PostgreSQL; with several nodes, a directory every
     * node mounts. */
    EXPORT_DIR: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
    /** PostgreSQL only: connections this node keeps open. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
    SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    /** "database" (default): mail is stored in OutboundEmail and noted on the console;
     * an smtp:// or smtps:// URL sends it for real through nodemailer. */
    MAIL_TRANSPORT: z
      .string()
      .regex(/^(database|smtps?:\/\/.+)$/, 'MAIL_TRANSPORT is "database" or an smtp(s):// URL')
      .default("database"),
    /** PKCS#8 PEM of the Ed25519 key that signs acknowledgement receipts; without it, a key
     * file beside the database is made on first use. */
    RECEIPT_SIGNING_KEY: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .startsWith("-----BEGIN PRIVATE KEY-----", "RECEIPT_SIGNING_KEY must be a PKCS#8 PEM")
        .optional(),
    ),
    /** Who issues receipts, as written into them (defaults to the organisation's portal). */
    RECEIPT_ISSUER: z.string().min(1).default("Lull privacy portal"),
    MAIL_FROM: z.string().min(3).default("Lull privacy portal <privacy@lull.test>"),
    /** The portal's public address (e.g. https://lull.example.com), used in links sent by mail.
     * Without it, links use the address the admin's browser used. */
    PUBLIC_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().url("PUBLIC_URL must be a URL such as https://lull.example.com").optional(),
    ),
    /** Single sign-on (ADR 0038): the OpenID provider's issuer URL; empty: passwords only. */
    OIDC_ISSUER: optionalText(z.string().url("OIDC_ISSUER must be the provider's issuer URL")),
    OIDC_CLIENT_ID: optionalText(z.string().min(1)),
    OIDC_CLIENT_SECRET: optionalText(z.string().min(1)),
    OIDC_SCOPES: z.string().min(1).default("openid email profile"),
    /** The ID token claim that carries the person's email address. */
    OIDC_EMAIL_CLAIM: z.string().min(1).default("email"),
    /** The ID token claim that carries the person's groups; empty: roles are not taken from tokens. */
    OIDC_GROUPS_CLAIM: optionalText(z.string().min(1)),
    /** How the sign-in button names the provider: "Sign in with <name>". */
    OIDC_PROVIDER_NAME: z.string().min(1).max(60).default("your company account"),
    /** Link an existing account by email at first sign-in only when email_verified is true. */
    OIDC_REQUIRE_VERIFIED_EMAIL: z.enum(["true", "false"]).default("true"),
  })
  .transform((env, ctx) => {
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["OIDC_CLIENT_ID"],
        message: "OIDC_CLIENT_ID is required when OIDC_ISSUER is set",
      });
      return z.NEVER;
    }
    if (POSTGRES_URL.test(env.DATABASE_URL) && !env.RECEIPT_SIGNING_KEY) {
      // Every node must sign with the same key: one made on first use would be this node's alone.
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["RECEIPT_SIGNING_KEY"],
        message:
          "RECEIPT_SIGNING_KEY is required with PostgreSQL, so that every node signs receipts with the same key (docs/deploy.md)",
      });
      return z.NEVER;
    }
    if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["SESSION_SECRET"],
        message:
          "SESSION_SECRET is required in production (32+ random characters; comma-separate several to rotate)",
      });
      return z.NEVER;
    }
    return {
      ...env,
      /** Newest first; older secrets still verify cookies during rotation. */
      sessionSecrets: (env.SESSION_SECRET ?? DEV_SESSION_SECRET)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      isProduction: env.NODE_ENV === "production",
      databaseProvider: databaseProvider(env.DATABASE_URL),
      /** Single sign-on, or null when no provider is configured. */
      oidc:
        env.OIDC_ISSUER && env.OIDC_CLIENT_ID
          ? {
              issuer: env.OIDC_ISSUER,
              clientId: env.OIDC_CLIENT_ID,
              clientSecret: env.OIDC_CLIENT_SECRET ?? null,
              scopes: env.OIDC_SCOPES,
              emailClaim: env.OIDC_EMAIL_CLAIM,
              groupsClaim: env.OIDC_GROUPS_CLAIM ?? null,
              providerName: env.OIDC_PROVIDER_NAME,
              requireVerifiedEmail: env.OIDC_REQUIRE_VERIFIED_EMAIL === "true",
            }
          : null,
    };
  });

export type Env = z.output<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "env"}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
