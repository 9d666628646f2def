/**
 * What a forget needs from the database beyond Prisma's queries (ADR 0041): subtract the
 * worker's events of [from, to) from the rollup rows of one hour or day, per (device, type,
 * app), in one statement. Resolves to the number of rows lowered.
 */
import type { Tx } from "#app/utils/db.server.ts";

export type SubtractSpan = (
  tx: Tx,
  args: { workerId: string; from: Date; to: Date; period: "hour" | "day"; bucket: Date },
) => Promise<number>;
