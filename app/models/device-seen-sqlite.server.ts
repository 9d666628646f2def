import { prisma } from "#app/utils/db.server.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import type { DeviceSeen } from "./device.server.ts";

/** `markDevicesSeen` on SQLite: one UPDATE over a JSON array (json_each). */
export function markDevicesSeenSqlite(seen: readonly DeviceSeen[]): Promise<number> {
  const rows = JSON.stringify(
    seen.map((s) => [s.deviceId, s.stateVersion, toStoredDateTime(s.at)]),
  );
  return prisma.$executeRaw`UPDATE "Device" SET
      "lastStateVersion" = s.version,
      "lastSeenAt" = CASE WHEN "lastSeenAt" IS NULL OR "lastSeenAt" < s.at THEN s.at ELSE "lastSeenAt" END
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS version, value ->> 2 AS at FROM json_each(${rows})) AS s
    WHERE "Device"."id" = s.id`;
}
