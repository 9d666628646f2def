/**
 * Test data made on demand: each test creates the people it needs instead
 * of relying on shared seed state.
 */
import { randomUUID } from "node:crypto";
import type { Role } from "#app/domain/roles.ts";
import { createSessionRecord } from "#app/models/session.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { hashPassword } from "#app/utils/password.server.ts";
import { newSessionToken, serializeSessionCookie } from "#app/utils/session.server.ts";

export const TEST_PASSWORD = "correct horse battery staple";

let cachedHash: Promise<string> | undefined;

export async function createUser(
  overrides: Partial<{
    email: string;
    name: string;
    role: Role;
    timezone: string;
    password: string;
  }> = {},
) {
  const hash =
    overrides.password !== undefined
      ? await hashPassword(overrides.password)
      : await (cachedHash ??= hashPassword(TEST_PASSWORD));
  return prisma.user.create({
    data: {
      email: overrides.email ?? `person-${randomUUID().slice(0, 8)}@example.test`,
      name: overrides.name ?? "Test Person",
      role: overrides.role ?? "WORKER",
      timezone: overrides.timezone ?? "Europe/Berlin",
      password: { create: { hash } },
    },
  });
}

/** A signed session cookie header for `userId`, as a browser would send it. */
export async function sessionCookieFor(userId: string, now = new Date()): Promise<string> {
  const token = newSessionToken();
  await prisma.$transaction((tx) =>
    createSessionRecord(tx, { token, userId, now, userAgent: "vitest", ip: "127.0.0.1" }),
  );
  return cookieHeaderFrom(await serializeSessionCookie(token));
}

/** Turns a Set-Cookie header into the Cookie header a browser would send back. */
export function cookieHeaderFrom(setCookie: string): string {
  return setCookie.split(";")[0]!;
}

/** An enrolled device of `workerId`, made directly (the enrollment API has its own tests). */
export function createDevice(
  workerId: string,
  overrides: Partial<{ name: string; discardedPaused: number }> = {},
) {
  return prisma.device.create({
    data: {
      workerId,
      name: overrides.name ?? "Laptop",
      platform: "linux",
      agentVersion: "1",
      tokenHash: randomUUID(),
      discardedPaused: overrides.discardedPaused ?? 0,
    },
  });
}

/**
 * A worker with one device and `events` clicks stored over the last hour, and a records export
 * of their own, queued (not built).
 */
export async function queuedExport(events = 50) {
  const { ingestBatch } = await import("#app/models/ingest.server.ts");
  const { requestExport } = await import("#app/models/record-export.server.ts");
  const user = await createUser();
  const device = await createDevice(user.id);
  const now = new Date();
  await ingestBatch(
    { id: device.id, workerId: user.id },
    {
      batchId: randomUUID(),
      events: Array.from({ length: events }, (_, i) => ({
        type: "click" as const,
        at: new Date(now.getTime() - 3_600_000 + i * 1000).toISOString(),
        app: "Editor",
        data: { n: i },
      })),
    },
    now,
  );
  const res = await requestExport({
    workerId: user.id,
    requester: { id: user.id },
    reason: null,
    now,
  });
  if (!res.ok) throw new Error(res.refusal.message);
  return { user, id: res.id };
}
