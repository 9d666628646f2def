/**
 * "Seen" bookkeeping for agents' state reads, batched (ADR 0029): a read
 * notes the device's last contact and state version here, and one statement
 * a second writes what was noted, so 1,000 agents reading a pushed state
 * cost the database one write, not 1,000, and never delay a push or a page.
 * A crash loses at most the last second of last-contact times.
 */
import { markDevicesSeen, type DeviceSeen } from "#app/models/device.server.ts";

const FLUSH_AFTER_MS = 1000;
/** Rows per statement: a bigger backlog is written a statement at a time, yielding in between. */
const ROWS_PER_STATEMENT = 1000;

type Pending = {
  seen: Map<string, DeviceSeen>;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void>;
};

declare global {
  var __lullDevicesSeen: Pending | undefined;
}

function pending(): Pending {
  globalThis.__lullDevicesSeen ??= { seen: new Map(), timer: null, flushing: Promise.resolve() };
  return globalThis.__lullDevicesSeen;
}

/** Notes that the device read `stateVersion` at `at`; written within about a second. */
export function noteDeviceSeen(deviceId: string, stateVersion: number, at: Date): void {
  const p = pending();
  const before = p.seen.get(deviceId);
  if (!before || before.at <= at) p.seen.set(deviceId, { deviceId, stateVersion, at });
  if (!p.timer) {
    p.timer = setTimeout(() => void flushDevicesSeen(), FLUSH_AFTER_MS);
    p.timer.unref();
  }
}

/** Writes everything noted so far (tests call it to read the result at once); never throws. */
export function flushDevicesSeen(): Promise<void> {
  const p = pending();
  if (p.timer) clearTimeout(p.timer);
  p.timer = null;
  p.flushing = p.flushing.then(async () => {
    while (p.seen.size > 0) {
      const batch: DeviceSeen[] = [];
      for (const [deviceId, seen] of p.seen) {
        batch.push(seen);
        p.seen.delete(deviceId);
        if (batch.length === ROWS_PER_STATEMENT) break;
      }
      try {
        await markDevicesSeen(batch);
      } catch (error) {
        console.error("devices seen:", error instanceof Error ? error.message : error);
      }
      if (p.seen.size > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return p.flushing;
}
