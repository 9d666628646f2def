/**
 * A year of realistic, reproducible monitoring data written straight into a
 * migrated bench database with better-sqlite3 (prepared statements, big
 * transactions): users with passwords, devices, pauses, events and the
 * hourly rollups of exactly those events, as the application stores them
 * (see app/models/ingest.server.ts).
 *
 * The activity model, per worker and local calendar day in the worker's
 * time zone:
 * - weekdays from about 08:00–09:15 for 7.5–9.5 hours (shorter on Fridays),
 *   a 30–60 minute lunch break, one or two coffee breaks, 0–3 meetings
 *   (little input, mostly "Zoom"); weekends off except an occasional short
 *   session; three holidays (2 × 2 weeks, 1 × 1 week) and sick days;
 * - a day intensity (log-normal), a within-day profile (slow start, dip
 *   after lunch, tired last hour) and idle minutes;
 * - the focused application changes every few minutes, skewed towards a
 *   few applications, and each change is an `app_focus` event; other
 *   events are keystroke / click / scroll with app-dependent mixes and the
 *   reference agent's payloads (agent/generator.ts);
 * - with two devices: office days (mostly Tuesday and Thursday) on the
 *   desktop with meetings on the laptop, other days on the laptop only;
 * - pauses of 5–30 minutes on about 4 workdays in 10 (some ended early,
 *   a few scheduled ones cancelled), and no event inside a pause's
 *   effective interval;
 * - "today" is always a working day: the six hours before `now`, so the
 *   `today` period has data whatever the clock says.
 *
 * The number of events per worker is exact: events are placed by systematic
 * sampling over the activity weight of every minute.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { localDateKey, localToUtc, nextDateKey } from "#app/domain/local-time.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  between,
  fakeCuid,
  openForSeeding,
  seededRandom,
} from "./seed.ts";

export const EVENT_TYPES = ["keystroke", "click", "scroll", "app_focus"] as const;
type EventType = (typeof EVENT_TYPES)[number];

/** Applications with a skewed share of focus time, and each one's keystroke/click/scroll mix. */
export const APPS: readonly { name: string; weight: number; mix: [number, number, number] }[] = [
  { name: "Visual Studio Code", weight: 34, mix: [0.65, 0.15, 0.2] },
  { name: "Firefox", weight: 22, mix: [0.25, 0.35, 0.4] },
  { name: "Slack", weight: 14, mix: [0.6, 0.3, 0.1] },
  { name: "Terminal", weight: 11, mix: [0.85, 0.1, 0.05] },
  { name: "Thunderbird", weight: 6, mix: [0.4, 0.35, 0.25] },
  { name: "LibreOffice Calc", weight: 4, mix: [0.5, 0.35, 0.15] },
  { name: "Zoom", weight: 3, mix: [0.2, 0.6, 0.2] },
  { name: "Figma", weight: 3, mix: [0.1, 0.7, 0.2] },
  { name: "LibreOffice Writer", weight: 2, mix: [0.75, 0.1, 0.15] },
  { name: "KeePassXC", weight: 1, mix: [0.3, 0.7, 0] },
];
const ZOOM = APPS.findIndex((a) => a.name === "Zoom");
const APP_WEIGHT_TOTAL = APPS.reduce((n, a) => n + a.weight, 0);

export type SeedDevice = {
  id: string;
  name: string;
  platform: "linux" | "windows" | "macos";
  kind: "laptop" | "desktop";
};

export type SeedWorker = {
  id: string;
  email: string;
  name: string;
  timezone: string;
  passwordHash: string;
  devices: SeedDevice[];
  /** Exactly this many events are stored for the worker. */
  events: number;
};

/** A worker to seed, its id and then its devices' ids drawn from `random`. */
export function seedWorker(
  random: () => number,
  worker: Omit<SeedWorker, "id" | "devices">,
  devices: [name: string, kind: SeedDevice["kind"], platform: SeedDevice["platform"]][],
): SeedWorker {
  const id = fakeCuid(random);
  const list = devices.map(([name, kind, platform]) => ({
    id: fakeCuid(random),
    name,
    kind,
    platform,
  }));
  return { id, ...worker, devices: list };
}

/** The measured worker's two devices in bench:data and bench:export. */
export const LAPTOP_AND_DESKTOP: Parameters<typeof seedWorker>[2] = [
  ["Work laptop", "laptop", "linux"],
  ["Office desktop", "desktop", "windows"],
];

type Segment = {
  worker: number;
  device: number;
  app: number;
  start: number;
  end: number;
  weight: number;
  /** The first segment of a new focus session: its first event is an app_focus. */
  newSession: boolean;
  /** The worker's local calendar day it was planned on. */
  day: string;
};

type PlannedPause = {
  worker: number;
  kind: "NOW" | "SCHEDULED";
  startsAt: number;
  endsAt: number;
  endedEarlyAt: number | null;
  cancelledAt: number | null;
  createdAt: number;
};

type Interval = { start: number; end: number };

function pickApp(random: () => number, except: number): number {
  for (;;) {
    let r = random() * APP_WEIGHT_TOTAL;
    let i = 0;
    while (i < APPS.length - 1 && r >= APPS[i]!.weight) r -= APPS[i++]!.weight;
    if (i !== except) return i;
  }
}

function dayOfWeek(dateKey: string): number {
  const [y, m, d] = dateKey.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function localTime(dateKey: string, minutesAfterMidnight: number, timeZone: string): number {
  const m = Math.round(minutesAfterMidnight);
  const hh = String(Math.floor(m / 60)).padStart(2, "0");
  const mm = String(m % 60).padStart(2, "0");
  const result = localToUtc(dateKey, `${hh}:${mm}`, timeZone);
  // A wall time the clocks skip (never during working hours in practice): an hour later.
  if (!result.ok) return localTime(dateKey, minutesAfterMidnight + 60, timeZone);
  return result.instant.getTime();
}

/** `segment` minus `cuts`, as 0–2+ pieces (the cuts are sorted and disjoint). */
function subtract(segment: Segment, cuts: readonly Interval[]): Segment[] {
  let pieces = [segment];
  for (const cut of cuts) {
    if (cut.end <= segment.start || cut.start >= segment.end) continue;
    const next: Segment[] = [];
    for (const p of pieces) {
      if (cut.end <= p.start || cut.start >= p.end) {
        next.push(p);
        continue;
      }
      const density = p.weight / (p.end - p.start);
      if (p.start < cut.start) {
        next.push({ ...p, end: cut.start, weight: density * (cut.start - p.start) });
      }
      if (cut.end < p.end) {
        next.push({
          ...p,
          start: cut.end,
          weight: density * (p.end - cut.end),
          newSession: p.newSession && p.start >= cut.start,
        });
      }
    }
    pieces = next;
  }
  return pieces;
}

/** The activity plan of one worker: weighted minute segments and pauses. */
function planWorker(
  workerIndex: number,
  worker: SeedWorker,
  now: number,
  days: number,
  random: () => number,
): { segments: Segment[]; pauses: PlannedPause[] } {
  const tz = worker.timezone;
  const laptop = Math.max(
    0,
    worker.devices.findIndex((d) => d.kind === "laptop"),
  );
  const desktop = worker.devices.findIndex((d) => d.kind === "desktop");
  const segments: Segment[] = [];
  const pauses: PlannedPause[] = [];
  const todayKey = localDateKey(new Date(now), tz);
  const firstKey = localDateKey(new Date(now - (days - 1) * DAY_MS), tz);

  // Holidays: two fortnights and one week, somewhere in the year (not today).
  const holidays = new Set<string>();
  for (const length of days >= 90 ? [14, 14, 7] : []) {
    const startOffset = Math.floor(between(random, 7, days - length - 7));
    let key = localDateKey(new Date(now - startOffset * DAY_MS), tz);
    for (let i = 0; i < length; i++, key = nextDateKey(key))
      if (key !== todayKey) holidays.add(key);
  }

  // The focused app per device carries over between minutes (and days); a
  // switch during an idle minute shows as app_focus with the next input.
  const focus = worker.devices.map(() => ({ app: -1, remaining: 0, switched: false }));
  let day = "";

  const activeMinute = (device: number, start: number, density: number, forceApp?: number) => {
    const f = focus[device]!;
    if (forceApp !== undefined) {
      if (f.app !== forceApp) {
        f.app = forceApp;
        f.switched = true;
      }
      f.remaining = 1;
    } else if (f.remaining <= 0 || f.app === ZOOM) {
      f.app = pickApp(random, f.app);
      // 1 to ~40 minutes, mean about 8.
      f.remaining = 1 + Math.floor(-Math.log(1 - random()) * 7);
      f.switched = true;
    }
    f.remaining--;
    if (density <= 0) return;
    segments.push({
      worker: workerIndex,
      device,
      app: f.app,
      start,
      end: start + MINUTE_MS,
      weight: density,
      newSession: f.switched,
      day,
    });
    f.switched = false;
  };

  type Block = { from: number; to: number; device: number; intensity: number };
  const workBlocks = (
    blocks: Block[],
    breaks: Interval[],
    meetings: Interval[],
    meetingDevice: number,
  ) => {
    for (const b of blocks) {
      const length = b.to - b.from;
      for (let t = b.from; t + MINUTE_MS <= b.to; t += MINUTE_MS) {
        if (breaks.some((x) => t >= x.start && t < x.end)) continue;
        if (meetings.some((x) => t >= x.start && t < x.end)) {
          activeMinute(meetingDevice, t, random() < 0.5 ? 0 : between(random, 0.05, 0.4), ZOOM);
          continue;
        }
        const sinceStart = (t - b.from) / MINUTE_MS;
        const untilEnd = (b.to - t) / MINUTE_MS;
        const profile =
          (sinceStart < 20 ? 0.5 + sinceStart / 40 : 1) *
          (untilEnd < 60 && length > 3 * HOUR_MS ? 0.75 : 1);
        const idle = random() < 0.12;
        activeMinute(b.device, t, idle ? 0 : b.intensity * profile * between(random, 0.3, 1.7));
      }
    }
  };

  const addPause = (from: number, to: number) => {
    if (to - from < 40 * MINUTE_MS) return;
    const startsAt = Math.floor(between(random, from, to - 35 * MINUTE_MS) / 1000) * 1000;
    const duration = Math.round(between(random, 5, 30)) * MINUTE_MS;
    const endsAt = startsAt + duration;
    const scheduled = random() < 0.25;
    const cancelled = scheduled && random() < 0.2;
    const endedEarly = !cancelled && random() < 0.2;
    pauses.push({
      worker: workerIndex,
      kind: scheduled ? "SCHEDULED" : "NOW",
      startsAt,
      endsAt,
      endedEarlyAt: endedEarly
        ? startsAt + Math.floor((duration * between(random, 0.3, 0.9)) / 1000) * 1000
        : null,
      cancelledAt: cancelled ? startsAt - Math.floor(between(random, 5, 120)) * MINUTE_MS : null,
      createdAt: scheduled
        ? startsAt - Math.floor(between(random, 30, 24 * 60)) * MINUTE_MS
        : startsAt,
    });
  };

  for (let key = firstKey; key <= todayKey; key = nextDateKey(key)) {
    day = key;
    const dow = dayOfWeek(key);
    const firstPause = pauses.length;
    const firstSegment = segments.length;
    if (key === todayKey) {
      // Today: the six hours before the run, on the laptop, with maybe a pause.
      const from = Math.floor((now - 6 * HOUR_MS) / MINUTE_MS) * MINUTE_MS;
      workBlocks([{ from, to: now, device: laptop, intensity: 1 }], [], [], laptop);
      if (random() < 0.5) addPause(from + HOUR_MS, now - 30 * MINUTE_MS);
    } else if (dow === 0 || dow === 6 || holidays.has(key) || random() < 0.02) {
      if (random() < 0.06) {
        const start = localTime(key, between(random, 10 * 60, 20 * 60), tz);
        const to = start + Math.round(between(random, 30, 120)) * MINUTE_MS;
        workBlocks([{ from: start, to, device: laptop, intensity: 0.7 }], [], [], laptop);
      }
    } else {
      const start = localTime(key, between(random, 8 * 60 - 30, 9 * 60 + 15), tz);
      const lunchStart = localTime(key, between(random, 11 * 60 + 45, 12 * 60 + 45), tz);
      const lunch = { start: lunchStart, end: lunchStart + between(random, 30, 60) * MINUTE_MS };
      const workMinutes = between(random, 7.5 * 60, 9.5 * 60) - (dow === 5 ? 60 : 0);
      const end = start + workMinutes * MINUTE_MS + (lunch.end - lunch.start);
      const intensity = Math.exp(0.25 * (random() + random() + random() - 1.5) * 2);
      const office = desktop >= 0 && random() < (dow === 2 || dow === 4 ? 0.85 : 0.1);
      const device = office ? desktop : laptop;
      const breaks: Interval[] = [lunch];
      for (let i = 0, n = random() < 0.5 ? 1 : 2; i < n; i++) {
        const at = between(random, start + HOUR_MS, end - HOUR_MS);
        breaks.push({ start: at, end: at + between(random, 8, 15) * MINUTE_MS });
      }
      const meetings: Interval[] = [];
      for (let i = 0, n = Math.floor(random() * 4); i < n; i++) {
        const slot = 30 * MINUTE_MS;
        const at = Math.floor(between(random, start, end - HOUR_MS) / slot) * slot;
        meetings.push({ start: at, end: at + (random() < 0.6 ? 1 : 2) * slot });
      }
      workBlocks(
        [
          { from: start, to: lunch.start, device, intensity },
          { from: lunch.end, to: end, device, intensity: intensity * 0.9 },
        ],
        breaks,
        meetings,
        laptop,
      );
      // Pauses: morning and/or afternoon (so two are always far apart).
      const r = random();
      if (r < 0.3) addPause(start + 30 * MINUTE_MS, lunch.start);
      if (r > 0.82) addPause(lunch.end + 15 * MINUTE_MS, end - 10 * MINUTE_MS);
      if (r >= 0.3 && r < 0.38) {
        addPause(start + 30 * MINUTE_MS, lunch.start);
        addPause(lunch.end + 15 * MINUTE_MS, end - 10 * MINUTE_MS);
      }
    }
    // No event inside the effective interval of a pause of this day.
    const cuts = pauses
      .slice(firstPause)
      .filter((p) => p.cancelledAt === null)
      .map((p) => ({ start: p.startsAt, end: p.endedEarlyAt ?? p.endsAt }));
    if (cuts.length) {
      const daySegments = segments.splice(firstSegment);
      for (const s of daySegments) segments.push(...subtract(s, cuts));
    }
  }
  return { segments, pauses };
}

export type SeedOptions = {
  workers: SeedWorker[];
  now: Date;
  days: number;
  seed: number;
  retentionDays: number;
};

export type SeedSummary = {
  seconds: number;
  events: number;
  rollups: number;
  /** EventRollupDay rows (all workers). */
  dailyRollups: number;
  pauses: number;
  perWorker: {
    workerId: string;
    events: number;
    rollups: number;
    pauses: number;
    firstEventAt: Date;
    lastEventAt: Date;
    byDevice: { deviceId: string; name: string; events: number; activeDays: number }[];
    byType: Record<string, number>;
    byApp: Record<string, number>;
  }[];
};

/**
 * Writes the workers, their devices, pauses, events and rollups into `file`
 * (already migrated), and sets the retention policy so a year of data is kept.
 */
export function seedYearOfActivity(file: string, opts: SeedOptions): SeedSummary {
  const started = performance.now();
  const now = opts.now.getTime();
  const planRandom = seededRandom(opts.seed);
  const plans = opts.workers.map((w, i) => planWorker(i, w, now, opts.days, planRandom));

  const db = openForSeeding(file);
  try {
    const stamp = toStoredDateTime(now);
    const yearAgo = toStoredDateTime(now - (opts.days + 7) * DAY_MS);
    const insertUser = db.prepare(
      `INSERT INTO "User" ("id", "email", "name", "role", "timezone", "stateVersion", "createdAt", "updatedAt")
       VALUES (?, ?, ?, 'WORKER', ?, ?, ?, ?)`,
    );
    const insertPassword = db.prepare(`INSERT INTO "Password" ("hash", "userId") VALUES (?, ?)`);
    const insertDevice = db.prepare(
      `INSERT INTO "Device" ("id", "workerId", "name", "platform", "agentVersion", "tokenHash", "createdAt", "lastStateVersion")
       VALUES (?, ?, ?, ?, '1.0.0', ?, ?, ?)`,
    );
    const updateDevice = db.prepare(
      `UPDATE "Device" SET "lastSeenAt" = ?, "storedEvents" = ?, "discardedPaused" = ?, "rejectedFuture" = ? WHERE "id" = ?`,
    );
    const insertPause = db.prepare(
      `INSERT INTO "Pause" ("id", "workerId", "kind", "startsAt", "endsAt", "createdAt", "endedEarlyAt", "cancelledAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertEvent = db.prepare(
      `INSERT INTO "Event" ("workerId", "deviceId", "type", "at", "app", "data", "receivedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertRollup = db.prepare(
      `INSERT INTO "EventRollup" ("workerId", "deviceId", "type", "app", "hour", "count") VALUES (?, ?, ?, ?, ?, ?)`,
    );

    // People, devices and pauses first (events reference devices).
    const idRandom = seededRandom(opts.seed ^ 0x1d5);
    db.transaction(() => {
      opts.workers.forEach((worker, w) => {
        const pauses = plans[w]!.pauses;
        // Each pause created, and each one ended early or cancelled, bumped the state version.
        const stateVersion =
          1 + pauses.length + pauses.filter((p) => p.endedEarlyAt || p.cancelledAt).length;
        insertUser.run(
          worker.id,
          worker.email,
          worker.name,
          worker.timezone,
          stateVersion,
          yearAgo,
          stamp,
        );
        insertPassword.run(worker.passwordHash, worker.id);
        for (const device of worker.devices) {
          insertDevice.run(
            device.id,
            worker.id,
            device.name,
            device.platform,
            createHash("sha256").update(`bench-token-${device.id}`).digest("hex"),
            yearAgo,
            stateVersion,
          );
        }
        for (const p of pauses) {
          insertPause.run(
            fakeCuid(idRandom),
            worker.id,
            p.kind,
            toStoredDateTime(p.startsAt),
            toStoredDateTime(p.endsAt),
            toStoredDateTime(p.createdAt),
            p.endedEarlyAt === null ? null : toStoredDateTime(p.endedEarlyAt),
            p.cancelledAt === null ? null : toStoredDateTime(p.cancelledAt),
          );
        }
      });
    })();

    // Events: every worker's segments in time order, in 6-hour windows, each
    // window sorted by time and written in one transaction (ids follow time,
    // as with live ingestion).
    const all = plans.flatMap((p) => p.segments).sort((a, b) => a.start - b.start);
    const scale = opts.workers.map((w, i) => {
      const total = plans[i]!.segments.reduce((n, s) => n + s.weight, 0);
      if (total <= 0) throw new Error(`Worker ${w.email} has no activity to place events in.`);
      return w.events / total;
    });
    const eventRandom = seededRandom(opts.seed ^ 0x5eed);
    const cumulative = opts.workers.map(() => 0);
    const offset = opts.workers.map(() => eventRandom());
    const pendingFocus = opts.workers.map((w) => w.devices.map(() => true));
    const deviceEvents = opts.workers.map((w) => w.devices.map(() => 0));
    const deviceLast = opts.workers.map((w) => w.devices.map(() => 0));
    const deviceDays = opts.workers.map((w) => w.devices.map(() => new Set<string>()));
    const byType = opts.workers.map(() => ({}) as Record<string, number>);
    const byApp = opts.workers.map(() => ({}) as Record<string, number>);
    const firstAt = opts.workers.map(() => Number.POSITIVE_INFINITY);
    const rollups = new Map<string, number>();
    let dailyRollups = 0;

    type Row = { w: number; d: number; type: EventType; app: number; at: number };
    const insertWindow = db.transaction((rows: Row[]) => {
      for (const r of rows) {
        const worker = opts.workers[r.w]!;
        const device = worker.devices[r.d]!;
        const data =
          r.type === "keystroke"
            ? `{"keyCount":${1 + Math.floor(eventRandom() * 20)}}`
            : r.type === "click"
              ? eventRandom() < 0.75
                ? `{"button":"left"}`
                : `{"button":"right"}`
              : r.type === "scroll"
                ? `{"deltaY":${(Math.floor(eventRandom() * 21) - 10) * 40}}`
                : "{}";
        // Agents upload every 30 s; the server stamps receipt a moment later.
        const received = Math.ceil((r.at + 1) / 30_000) * 30_000 + Math.floor(eventRandom() * 3000);
        insertEvent.run(
          worker.id,
          device.id,
          r.type,
          toStoredDateTime(r.at),
          APPS[r.app]!.name,
          data,
          toStoredDateTime(Math.min(received, now)),
        );
      }
    });

    let buffer: Row[] = [];
    let windowEnd = all.length ? Math.floor(all[0]!.start / (6 * HOUR_MS) + 1) * 6 * HOUR_MS : 0;
    const flush = () => {
      buffer.sort((a, b) => a.at - b.at);
      insertWindow(buffer);
      buffer = [];
    };
    for (const s of all) {
      if (s.start >= windowEnd) {
        flush();
        windowEnd = Math.floor(s.start / (6 * HOUR_MS) + 1) * 6 * HOUR_MS;
      }
      const w = s.worker;
      const before = cumulative[w]! * scale[w]! + offset[w]!;
      cumulative[w]! += s.weight;
      const after = cumulative[w]! * scale[w]! + offset[w]!;
      const count = Math.floor(after) - Math.floor(before);
      if (s.newSession) pendingFocus[w]![s.device] = true;
      if (count === 0) continue;
      const times = Array.from(
        { length: count },
        () => s.start + Math.floor(eventRandom() * (s.end - s.start)),
      ).sort((a, b) => a - b);
      const mix = APPS[s.app]!.mix;
      for (const at of times) {
        let type: EventType;
        if (pendingFocus[w]![s.device]) {
          type = "app_focus";
          pendingFocus[w]![s.device] = false;
        } else {
          const r = eventRandom();
          type = r < mix[0] ? "keystroke" : r < mix[0] + mix[1] ? "click" : "scroll";
        }
        buffer.push({ w, d: s.device, type, app: s.app, at });
        const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
        const key = `${w}\u0000${s.device}\u0000${type}\u0000${s.app}\u0000${hour}`;
        rollups.set(key, (rollups.get(key) ?? 0) + 1);
        deviceEvents[w]![s.device]!++;
        deviceLast[w]![s.device] = Math.max(deviceLast[w]![s.device]!, at);
        byType[w]![type] = (byType[w]![type] ?? 0) + 1;
        byApp[w]![APPS[s.app]!.name] = (byApp[w]![APPS[s.app]!.name] ?? 0) + 1;
        if (at < firstAt[w]!) firstAt[w] = at;
      }
      deviceDays[w]![s.device]!.add(s.day);
    }
    flush();

    // Rollups of exactly the stored events, the devices' counters and the policy.
    const rollupCount = opts.workers.map(() => 0);
    db.transaction(() => {
      opts.workers.forEach((worker, w) => {
        const pauses = plans[w]!.pauses;
        worker.devices.forEach((device, d) => {
          // Agents obey pauses; a few events sent with a stale state were refused anyway.
          const refused = pauses.filter(() => idRandom() < 0.1).length * 3;
          updateDevice.run(
            deviceLast[w]![d] ? toStoredDateTime(deviceLast[w]![d]!) : null,
            deviceEvents[w]![d]!,
            refused,
            Math.floor(idRandom() * 3),
            device.id,
          );
        });
      });
      const keys = [...rollups.entries()].map(([key, count]) => {
        const [w, d, type, app, hour] = key.split("\u0000") as [
          string,
          string,
          string,
          string,
          string,
        ];
        return { w: Number(w), d: Number(d), type, app: Number(app), hour: Number(hour), count };
      });
      keys.sort((a, b) => a.hour - b.hour || a.w - b.w || a.d - b.d);
      for (const k of keys) {
        const worker = opts.workers[k.w]!;
        insertRollup.run(
          worker.id,
          worker.devices[k.d]!.id,
          k.type,
          APPS[k.app]!.name,
          toStoredDateTime(k.hour),
          k.count,
        );
        rollupCount[k.w]!++;
      }
      // The daily rollups (ADR 0030): the hourly rows summed per UTC day, as ingestion keeps them.
      dailyRollups = db
        .prepare(
          `INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
           SELECT "workerId", "deviceId", "type", "app", substr("hour", 1, 10) || 'T00:00:00.000+00:00', SUM("count")
           FROM "EventRollup" GROUP BY "workerId", "deviceId", "type", "app", substr("hour", 1, 10)`,
        )
        .run().changes;
      db.prepare(`UPDATE "Policy" SET "retentionDays" = ?, "updatedAt" = ? WHERE "id" = 1`).run(
        opts.retentionDays,
        stamp,
      );
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");

    const perWorker = opts.workers.map((worker, w) => ({
      workerId: worker.id,
      events: deviceEvents[w]!.reduce((a, b) => a + b, 0),
      rollups: rollupCount[w]!,
      pauses: plans[w]!.pauses.length,
      firstEventAt: new Date(firstAt[w]!),
      lastEventAt: new Date(Math.max(...deviceLast[w]!)),
      byDevice: worker.devices.map((device, d) => ({
        deviceId: device.id,
        name: device.name,
        events: deviceEvents[w]![d]!,
        activeDays: deviceDays[w]![d]!.size,
      })),
      byType: byType[w]!,
      byApp: byApp[w]!,
    }));
    return {
      seconds: (performance.now() - started) / 1000,
      events: perWorker.reduce((n, p) => n + p.events, 0),
      rollups: rollups.size,
      dailyRollups,
      pauses: perWorker.reduce((n, p) => n + p.pauses, 0),
      perWorker,
    };
  } finally {
    db.close();
  }
}
