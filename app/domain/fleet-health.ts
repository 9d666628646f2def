import { z } from "zod";

/**
 * Fleet health rules: when an agent counts as stale, offline or behind its
 * worker's state. Pure: the time is passed in. The SQL behind
 * app/models/fleet.server.ts (fleet-sqlite/-postgres.server.ts) applies the
 * same thresholds (its tests check the two agree).
 */
export const FLEET_HEALTH = {
  /** Last seen longer ago than this: stale (the agent polls and streams far more often). */
  staleAfterMs: 15 * 60_000,
  /** Last seen longer ago than this: offline (the computer is probably off). */
  offlineAfterMs: 24 * 3600_000,
  /** A device still on an older state version this long after a change is behind. */
  behindGraceMs: 60_000,
} as const;

export const FLEET_PAGE_SIZE = 25;

/** Days of organisation-wide ingestion counts the page shows. */
export const INGEST_DAYS_SHOWN = 14;

export const FLEET_FILTERS = ["all", "behind", "stale", "offline"] as const;
export type FleetFilter = (typeof FLEET_FILTERS)[number];

export const FLEET_FILTER_LABELS: Record<FleetFilter, string> = {
  all: "All active devices",
  behind: "Behind by more than a minute",
  stale: "Last seen more than 15 minutes ago",
  offline: "Last seen more than 24 hours ago",
};

/** Query string of the fleet health page (/admin/devices?filter=&q=&page=). */
export const FleetSearchSchema = z.object({
  filter: z.enum(FLEET_FILTERS).catch("all"),
  q: z.string().trim().max(100).catch(""),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type FleetSearch = z.infer<typeof FleetSearchSchema>;

export type DeviceHealthInput = {
  lastSeenAt: Date | null;
  /** The state version the device last received (null: never). */
  lastStateVersion: number | null;
  /** The worker's current state version, and when it last moved (null: long ago). */
  stateVersion: number;
  stateVersionAt: Date | null;
  /** When the device was enrolled: a new device gets the same minute to fetch its first state. */
  enrolledAt: Date;
};

export type LastSeen = "recent" | "stale" | "offline" | "never";

export type DeviceHealth = {
  lastSeen: LastSeen;
  /** Has not received the worker's current state a minute after it changed. */
  behind: boolean;
};

/** How long ago the device was last seen, in the page's words ("stale" excludes "offline" here). */
export function lastSeenStatus(lastSeenAt: Date | null, now: Date): LastSeen {
  if (!lastSeenAt) return "never";
  const age = now.getTime() - lastSeenAt.getTime();
  if (age > FLEET_HEALTH.offlineAfterMs) return "offline";
  if (age > FLEET_HEALTH.staleAfterMs) return "stale";
  return "recent";
}

/**
 * Behind: the device does not hold the worker's current state version, and
 * that version moved more than a minute ago (an agent that did not follow a
 * pause, an exemption or a notice change). A version that moved before this
 * was recorded counts as long ago.
 */
export function isBehind(row: DeviceHealthInput, now: Date): boolean {
  const outdated = row.lastStateVersion === null || row.lastStateVersion < row.stateVersion;
  const movedAt = Math.max(row.stateVersionAt?.getTime() ?? 0, row.enrolledAt.getTime());
  return outdated && movedAt <= now.getTime() - FLEET_HEALTH.behindGraceMs;
}

export function deviceHealth(row: DeviceHealthInput, now: Date): DeviceHealth {
  return { lastSeen: lastSeenStatus(row.lastSeenAt, now), behind: isBehind(row, now) };
}

export type HealthBadge = { label: string; tone: "ok" | "warning" | "muted" };

/** The status badges of one device row: words first, colour only repeats them. */
export function healthBadges(health: DeviceHealth): HealthBadge[] {
  const badges: HealthBadge[] = [];
  if (health.behind) badges.push({ label: "Behind", tone: "warning" });
  if (health.lastSeen === "never") badges.push({ label: "Never seen", tone: "muted" });
  if (health.lastSeen === "offline") badges.push({ label: "Offline > 24 h", tone: "warning" });
  if (health.lastSeen === "stale") badges.push({ label: "Not seen > 15 min", tone: "muted" });
  if (badges.length === 0) badges.push({ label: "Up to date", tone: "ok" });
  return badges;
}

const DAY_MS = 24 * 3600_000;

/** The UTC day of an instant, "YYYY-MM-DD" (the key of the ingestion counts). */
export function utcDayKey(instant: Date | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The last `count` UTC days up to and including the day of `now`, oldest first. */
export function lastUtcDays(now: Date, count: number = INGEST_DAYS_SHOWN): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return Array.from({ length: count }, (_, i) => utcDayKey(today - (count - 1 - i) * DAY_MS));
}

const PLATFORM_LABELS: Record<string, string> = {
  windows: "Windows",
  macos: "macOS",
  linux: "Linux",
};

export function platformLabel(platform: string): string {
  return PLATFORM_LABELS[platform] ?? platform;
}
