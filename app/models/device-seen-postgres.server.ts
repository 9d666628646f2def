import { prisma } from "#app/utils/db.server.ts";
import type { DeviceSeen } from "./device.server.ts";

/** `markDevicesSeen` on PostgreSQL: one UPDATE over a JSON array (jsonb_array_elements). */
export function markDevicesSeenPostgres(seen: readonly DeviceSeen[]): Promise<number> {
  const rows = JSON.stringify(seen.map((s) => [s.deviceId, s.stateVersion, s.at.toISOString()]));
  return prisma.$executeRaw`UPDATE "Device" SET
      "lastStateVersion" = s.version,
      "lastSeenAt" = GREATEST("lastSeenAt", s.at)
    FROM (SELECT value ->> 0 AS id, (value ->> 1)::integer AS version, (value ->> 2)::timestamp(3) AS at
          FROM jsonb_array_elements(${rows}::jsonb)) AS s
    WHERE "Device"."id" = s.id`;
}
