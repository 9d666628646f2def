/**
 * SCIM bearer tokens (ADR 0038): made and revoked by an admin on the Identity
 * page, used by the identity provider. The token is shown once; only its
 * SHA-256 is stored, with its first characters to tell tokens apart.
 */
import { createHash, randomBytes } from "node:crypto";
import { runCommand } from "#app/commands/command.server.ts";
import { accept, refuse, type Outcome } from "#app/domain/refusal.ts";
import { prisma } from "#app/utils/db.server.ts";

const TOKEN_PREFIX = "lull_scim_";
/** Characters of the token kept in the clear: "lull_scim_" and four of the secret. */
const SHOWN_LENGTH = TOKEN_PREFIX.length + 4;
/** lastUsedAt is written at most this often per token. */
const LAST_USED_INTERVAL_MS = 60_000;

export function hashScimToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Makes a token; the returned `token` is the only time it exists in the clear. */
export async function createScimToken({
  actorId,
  name,
  now,
}: {
  actorId: string;
  name: string;
  now: Date;
}): Promise<{ id: string; token: string; prefix: string }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const prefix = token.slice(0, SHOWN_LENGTH);
  return runCommand(now, async ({ tx, audit }) => {
    const row = await tx.scimToken.create({
      data: { name, tokenHash: hashScimToken(token), prefix, createdAt: now, createdById: actorId },
      select: { id: true },
    });
    await audit({
      actorId,
      subjectUserId: null,
      action: "identity.scim_token_create",
      targetType: "ScimToken",
      targetId: row.id,
      metadata: { name, prefix },
    });
    return { id: row.id, token, prefix };
  });
}

/** Revokes a token: the provider's next request with it gets 401. Refusal: `not_found`. */
export async function revokeScimToken({
  actorId,
  tokenId,
  now,
}: {
  actorId: string;
  tokenId: string;
  now: Date;
}): Promise<Outcome<null>> {
  return runCommand(now, async ({ tx, audit }) => {
    const { count } = await tx.scimToken.updateMany({
      where: { id: tokenId, revokedAt: null },
      data: { revokedAt: now, revokedById: actorId },
    });
    if (count === 0) return refuse("not_found", "That token does not exist or is already revoked.");
    const row = await tx.scimToken.findUniqueOrThrow({
      where: { id: tokenId },
      select: { name: true, prefix: true },
    });
    await audit({
      actorId,
      subjectUserId: null,
      action: "identity.scim_token_revoke",
      targetType: "ScimToken",
      targetId: tokenId,
      metadata: row,
    });
    return accept(null);
  });
}

/** Every token, newest first, revoked ones included (never the secret). */
export function listScimTokens() {
  return prisma.scimToken.findMany({
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      prefix: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
  });
}

/**
 * The token a SCIM request presents, if it is a live one: its id and name.
 * Notes when it was last used (at most once a minute).
 */
export async function findLiveScimToken(
  token: string,
  now: Date,
): Promise<{ id: string; name: string; prefix: string } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await prisma.scimToken.findUnique({
    where: { tokenHash: hashScimToken(token) },
    select: { id: true, name: true, prefix: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_INTERVAL_MS) {
    await prisma.scimToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, name: row.name, prefix: row.prefix };
}
