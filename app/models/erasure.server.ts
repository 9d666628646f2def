/**
 * An accepted erasure request's deletion (ADR 0042): every stored event of
 * the worker in the span, on every device, and exactly those events in the
 * hourly and daily rollups. A span may be as long as the retention period,
 * so the UTC hours and days wholly inside it lose their rollup rows outright
 * (everything counted in them is in the span); only the partial hour and day
 * at each end are lowered event by event, as a forget does (ADR 0041).
 */
import { dayBucket, hourBucket } from "#app/domain/ingest-rules.ts";
import { DAY_MS, HOUR_MS } from "#app/domain/forget-rules.ts";
import { byProvider, type Tx } from "#app/utils/db.server.ts";
import { subtractSpanPostgres } from "./forget-rollups-postgres.server.ts";
import { subtractSpanSqlite } from "./forget-rollups-sqlite.server.ts";
import type { SubtractSpan } from "./forget-rollups-store.ts";

const subtractSpan = byProvider<SubtractSpan>({
  sqlite: () => subtractSpanSqlite,
  postgresql: () => subtractSpanPostgres,
});

type Span = { start: Date; end: Date };

/**
 * The span cut by `periodMs`: the partial periods at its ends (as [from, to)
 * with their bucket) and the whole periods inside it ([firstWhole, endWhole)).
 */
export function splitByPeriod(span: Span, periodMs: number) {
  const start = span.start.getTime();
  const end = span.end.getTime();
  const firstWhole = Math.ceil(start / periodMs) * periodMs;
  const endWhole = Math.floor(end / periodMs) * periodMs;
  if (firstWhole >= endWhole) {
    // No whole period inside: one or two partial ones.
    const cut = Math.min(end, Math.floor(start / periodMs) * periodMs + periodMs);
    const edges = [{ from: start, to: cut }];
    if (cut < end) edges.push({ from: cut, to: end });
    return {
      edges: edges.map((e) => ({ from: new Date(e.from), to: new Date(e.to) })),
      whole: null,
    };
  }
  const edges: { from: Date; to: Date }[] = [];
  if (start < firstWhole) edges.push({ from: new Date(start), to: new Date(firstWhole) });
  if (endWhole < end) edges.push({ from: new Date(endWhole), to: new Date(end) });
  return { edges, whole: { from: new Date(firstWhole), to: new Date(endWhole) } };
}

export async function eraseSpan(tx: Tx, workerId: string, span: Span) {
  const subtract = subtractSpan();
  let hourlyRollupRows = 0;
  let dailyRollupRows = 0;
  const hours = splitByPeriod(span, HOUR_MS);
  const days = splitByPeriod(span, DAY_MS);
  for (const edge of hours.edges) {
    hourlyRollupRows += await subtract(tx, {
      workerId,
      from: edge.from,
      to: edge.to,
      period: "hour",
      bucket: hourBucket(edge.from),
    });
  }
  for (const edge of days.edges) {
    dailyRollupRows += await subtract(tx, {
      workerId,
      from: edge.from,
      to: edge.to,
      period: "day",
      bucket: dayBucket(edge.from),
    });
  }
  if (hours.whole) {
    const { count } = await tx.eventRollup.deleteMany({
      where: { workerId, hour: { gte: hours.whole.from, lt: hours.whole.to } },
    });
    hourlyRollupRows += count;
  }
  if (days.whole) {
    const { count } = await tx.eventRollupDay.deleteMany({
      where: { workerId, day: { gte: days.whole.from, lt: days.whole.to } },
    });
    dailyRollupRows += count;
  }
  await tx.eventRollup.deleteMany({
    where: {
      workerId,
      hour: { in: hours.edges.map((e) => hourBucket(e.from)) },
      count: { lte: 0 },
    },
  });
  await tx.eventRollupDay.deleteMany({
    where: { workerId, day: { in: days.edges.map((e) => dayBucket(e.from)) }, count: { lte: 0 } },
  });
  const { count: events } = await tx.event.deleteMany({
    where: { workerId, at: { gte: span.start, lt: span.end } },
  });
  return { events, hourlyRollupRows, dailyRollupRows };
}
