import { LIMITS, type EventBatch, type EventBatchResult } from "#app/agent-protocol/v1.ts";
import { acknowledgementGateHolds } from "#app/domain/acknowledgement-rules.ts";
import { collectionWindows } from "#app/domain/collection-state.ts";
import { fromColumns } from "#app/domain/exemption-columns.ts";
import { classifyEvent, dailyRollupCounts, rollupCounts } from "#app/domain/ingest-rules.ts";
import type { StoredPause } from "#app/domain/pause-policy.ts";
import { byProvider } from "#app/utils/db.server.ts";
import type { IngestFacts, IngestStore, IngestWrites } from "./ingest-store.ts";
import { sqliteIngestStore } from "./ingest-sqlite.server.ts";
import { postgresIngestStore } from "./ingest-postgres.server.ts";

const store = byProvider<IngestStore>({
  sqlite: () => sqliteIngestStore,
  postgresql: () => postgresIngestStore,
});

/**
 * Stores one batch of events exactly once per (device, batchId), in one
 * short transaction: events outside the worker's pauses, exemptions, forgotten
 * spans and private applications (ADR 0041),
 * their hourly and daily rollups, the device's counters, the organisation's counts for
 * the day, the worker's forgotten and private-app discards for the day (only when
 * there are some), the device's upload footprint for the hour, and the answer itself
 * (so a retry gets the same answer).
 *
 * The footprint (ADR 0026) counts every upload answered here: `bodyBytes` as
 * the route read them off the wire (default: the batch as plain JSON, for
 * callers without a request), one batch, and the batch's events the first
 * time; a resend adds its bytes and a batch but no events. A refused upload
 * never gets here and counts nothing.
 *
 * The decision is the domain's (`collectionWindows` + `classifyEvent`), made
 * here once for both providers; each provider's store reads the facts and
 * writes the result in one transaction (ADR 0007: on SQLite a synchronous
 * better-sqlite3 transaction with prepared statements; ADR 0032: on
 * PostgreSQL set-based statements over `pg`).
 */
export async function ingestBatch(
  device: { id: string; workerId: string },
  batch: EventBatch,
  now: Date,
  { bodyBytes = Buffer.byteLength(JSON.stringify(batch)) }: { bodyBytes?: number } = {},
): Promise<EventBatchResult> {
  const times = batch.events.map((e) => new Date(e.at));
  let earliest = now.getTime();
  let latest = now.getTime();
  for (const t of times) {
    const ms = t.getTime();
    if (ms < earliest) earliest = ms;
    if (ms > latest) latest = ms;
  }
  return store().ingest(
    {
      device,
      batchId: batch.batchId,
      now,
      from: new Date(earliest),
      to: new Date(latest + 1),
      bodyBytes,
      eventCount: batch.events.length,
    },
    (facts) => planBatch(batch, times, facts, now, new Date(earliest), new Date(latest + 1)),
  );
}

/** What a new batch stores and counts, given the facts read in its transaction. */
function planBatch(
  batch: EventBatch,
  times: Date[],
  facts: IngestFacts,
  now: Date,
  from: Date,
  to: Date,
): IngestWrites {
  const windows = collectionWindows(
    {
      pauses: facts.pauses.map((p): StoredPause => ({ ...p, cancelledAt: null })),
      exemptions: facts.exemptions.map(fromColumns),
      forgets: facts.forgets,
      privateApps: facts.privateApps,
      heldForAcknowledgement: acknowledgementGateHolds({
        policyRequires: facts.gate.policyRequires,
        notice:
          facts.gate.noticeRequires === null
            ? null
            : { requiresAcknowledgement: facts.gate.noticeRequires },
        signedCurrentNotice: facts.gate.signed,
      }),
    },
    from,
    to,
  );
  const counts = {
    stored: 0,
    discardedPaused: 0,
    discardedExempt: 0,
    discardedUnacknowledged: 0,
    rejectedFuture: 0,
    discardedForgotten: 0,
    discardedPrivateApp: 0,
  };
  const events: IngestWrites["events"] = [];
  batch.events.forEach((event, index) => {
    const at = times[index]!;
    const verdict = classifyEvent(
      { at, type: event.type, app: event.app },
      windows,
      now,
      LIMITS.futureToleranceMs,
    );
    if (verdict === "paused") counts.discardedPaused++;
    else if (verdict === "exempt") counts.discardedExempt++;
    else if (verdict === "forgotten") counts.discardedForgotten++;
    else if (verdict === "private_app") counts.discardedPrivateApp++;
    else if (verdict === "future") counts.rejectedFuture++;
    else if (verdict === "unacknowledged") counts.discardedUnacknowledged++;
    else {
      counts.stored++;
      events.push({ type: event.type, app: event.app, at, data: JSON.stringify(event.data) });
    }
  });
  const hourly = rollupCounts(events);
  // The same counts per UTC day (ADR 0030): a day's row is always the sum of its hours'.
  const daily = dailyRollupCounts(hourly);
  return {
    events,
    hourly,
    daily,
    counts,
    result: { batchId: batch.batchId, ...counts, duplicate: false },
  };
}
