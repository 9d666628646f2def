/**
 * Secrets Lull must read back (not just compare), sealed at rest: AES-256-GCM
 * under a key derived (HKDF-SHA-256) from SESSION_SECRET for one purpose. A
 * copy of the database alone does not reveal them. Sealed with the newest
 * session secret, opened with any of them, so rotating SESSION_SECRET keeps
 * what was sealed before readable while the old secret is still listed.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { getEnv } from "./env.server.ts";

const VERSION = "v1";

function keyFor(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "lull-sealed-secret", purpose, 32));
}

export function seal(plain: string, purpose: string, secrets = getEnv().sessionSecrets): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secrets[0]!, purpose), iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** The plain text, or null when the value was sealed for another purpose or under no listed secret. */
export function open(
  sealed: string,
  purpose: string,
  secrets = getEnv().sessionSecrets,
): string | null {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== VERSION || !iv || !body || !tag) return null;
  for (const secret of secrets) {
    try {
      const decipher = createDecipheriv(
        "aes-256-gcm",
        keyFor(secret, purpose),
        Buffer.from(iv, "base64url"),
      );
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      // Not this secret: try the next.
    }
  }
  return null;
}
