import { createHash, randomBytes, randomInt } from "node:crypto";
import type { EnrollRequest } from "#app/agent-protocol/v1.ts";
import { runCommand } from "#app/commands/command.server.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { byProvider, prisma } from "#app/utils/db.server.ts";
import { markDevicesSeenPostgres } from "./device-seen-postgres.server.ts";
import { markDevicesSeenSqlite } from "./device-seen-sqlite.server.ts";

export const ENROLLMENT_CODE_TTL_MS = 15 * 60 * 1000;
/** Crockford's base32: no I, L, O or U to misread. 8 characters = 40 bits. */
const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/-/g, "");
}

/** A new one-time code, shown to the worker once ("ABCD-2345"); only its hash is kept. */
export async function createEnrollmentCode(workerId: string, now: Date) {
  let raw = "";
  for (let i = 0; i < 8; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + ENROLLMENT_CODE_TTL_MS);
  await runCommand(now, async ({ tx, audit }) => {
    await tx.enrollmentCode.create({
      data: { workerId, codeHash: sha256(raw), createdAt: now, expiresAt },
    });
    await audit({
      actorId: workerId,
      subjectUserId: workerId,
      action: "device.code_created",
      targetType: "EnrollmentCode",
      metadata: { expiresAt: expiresAt.toISOString() },
      at: now,
    });
  });
  return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt };
}

/** Refused: `invalid_code` (wrong, expired or used code, or a deactivated worker's). */
export type EnrollResult = { ok: true; deviceId: string; token: string } | Refused;

const invalidCode = () =>
  refuse(
    "invalid_code",
    "That enrollment code is wrong, expired or already used. Create a new one in Lull under Devices.",
  );

/**
 * Trades a valid, unused, unexpired code for a device and its token (256
 * random bits, returned once, stored as SHA-256). The code is marked used in
 * the same transaction, so it works exactly once.
 */
export async function enrollDevice(input: EnrollRequest, now: Date): Promise<EnrollResult> {
  const token = randomBytes(32).toString("base64url");
  return runCommand(now, async ({ tx, audit, lockWorker }): Promise<EnrollResult> => {
    const codeHash = sha256(normaliseCode(input.code));
    const found = await tx.enrollmentCode.findUnique({
      where: { codeHash },
      select: { workerId: true },
    });
    if (!found) return invalidCode();
    // Two enrollments with one code: the second reads it used (ADR 0035).
    await lockWorker(found.workerId);
    const code = await tx.enrollmentCode.findUnique({ where: { codeHash } });
    if (!code || code.usedAt || code.expiresAt <= now) return invalidCode();
    const worker = await tx.user.findUnique({
      where: { id: code.workerId },
      select: { deactivatedAt: true },
    });
    if (!worker || worker.deactivatedAt) return invalidCode();
    const device = await tx.device.create({
      data: {
        workerId: code.workerId,
        name: input.deviceName,
        platform: input.platform,
        agentVersion: input.agentVersion,
        tokenHash: sha256(token),
        createdAt: now,
      },
      select: { id: true },
    });
    await tx.enrollmentCode.update({
      where: { id: code.id },
      data: { usedAt: now, deviceId: device.id },
    });
    await audit({
      actorId: code.workerId,
      subjectUserId: code.workerId,
      action: "device.enroll",
      targetType: "Device",
      targetId: device.id,
      metadata: {
        name: input.deviceName,
        platform: input.platform,
        agentVersion: input.agentVersion,
      },
      at: now,
    });
    return { ok: true, deviceId: device.id, token };
  });
}

export function findActiveDeviceByTokenHash(tokenHash: string) {
  return prisma.device.findFirst({
    where: { tokenHash, revokedAt: null, worker: { deactivatedAt: null } },
    select: { id: true, workerId: true, tokenHash: true, createdAt: true },
  });
}

/**
 * Records that the device asked just now and holds `stateVersion`. One raw
 * statement: every stream runs it after every push, and Prisma's updateMany
 * opens a transaction of its own, which holds every other query on the one
 * connection (ADR 0013) while a thousand streams take turns.
 */
export type DeviceSeen = { deviceId: string; stateVersion: number; at: Date };

/**
 * Records devices' last contact and the state version they read, in one
 * statement however many (batched by app/web/device-seen.server.ts). A
 * last contact never moves back (an upload may have written a later one).
 */
export function markDevicesSeen(seen: readonly DeviceSeen[]): Promise<number> {
  return markSeen()(seen);
}

const markSeen = byProvider({
  sqlite: () => markDevicesSeenSqlite,
  postgresql: () => markDevicesSeenPostgres,
});

export async function listDevices(workerId: string) {
  const [devices, worker] = await Promise.all([
    prisma.device.findMany({
      where: { workerId },
      orderBy: [{ revokedAt: { sort: "asc", nulls: "first" } }, { createdAt: "desc" }],
      select: {
        id: true,
        name: true,
        platform: true,
        agentVersion: true,
        createdAt: true,
        lastSeenAt: true,
        lastStateVersion: true,
        revokedAt: true,
        storedEvents: true,
        discardedPaused: true,
        discardedExempt: true,
        discardedUnacknowledged: true,
        discardedForgotten: true,
        discardedPrivateApp: true,
        rejectedFuture: true,
      },
    }),
    prisma.user.findUniqueOrThrow({
      where: { id: workerId },
      select: { stateVersion: true, stateVersionAt: true },
    }),
  ]);
  return { devices, stateVersion: worker.stateVersion, stateVersionAt: worker.stateVersionAt };
}

type DeviceChange = { workerId: string; deviceId: string; now: Date };

/** Renames one of the worker's own devices; false when it is not theirs. */
export async function renameDevice({
  workerId,
  deviceId,
  now,
  name,
}: DeviceChange & { name: string }) {
  return runCommand(now, async ({ tx, audit }) => {
    const { count } = await tx.device.updateMany({
      where: { id: deviceId, workerId },
      data: { name },
    });
    if (count === 0) return false;
    await audit({
      actorId: workerId,
      subjectUserId: workerId,
      action: "device.rename",
      targetType: "Device",
      targetId: deviceId,
      metadata: { name },
      at: now,
    });
    return true;
  });
}

/** Whether the device is one of the worker's own and not yet revoked. */
export async function isActiveOwnDevice(workerId: string, deviceId: string): Promise<boolean> {
  return (await prisma.device.count({ where: { id: deviceId, workerId, revokedAt: null } })) === 1;
}

/** Revokes one of the worker's own devices; its token stops working on the next request. */
export async function revokeDevice({ workerId, deviceId, now }: DeviceChange) {
  return runCommand(now, async ({ tx, audit, deviceRevoked }) => {
    const { count } = await tx.device.updateMany({
      where: { id: deviceId, workerId, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) return false;
    await audit({
      actorId: workerId,
      subjectUserId: workerId,
      action: "device.revoke",
      targetType: "Device",
      targetId: deviceId,
      at: now,
    });
    // Open streams of that device close at once.
    deviceRevoked(workerId, deviceId);
    return true;
  });
}
