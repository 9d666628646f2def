/**
 * A large organisation for the privacy office console benchmark, written
 * straight into a migrated bench database with better-sqlite3 (prepared
 * statements, one transaction per table): people in teams, their devices,
 * a month of pauses, a year of exemption requests with their status
 * history, two published versions of the monitoring notice with
 * acknowledgements, the organisation's daily ingestion counts, a year of
 * audit events and a history of policy changes. Deterministic for a seed.
 *
 * The shape, with the defaults of `npm run bench:admin`:
 * - people: directors (no manager) over line managers over workers; teams
 *   of mixed sizes (log-normal, a few of 1–4 people), about 1 % of workers
 *   with no manager; reviewers under the directors; one admin; deactivated
 *   workers (devices revoked);
 * - devices: one per person first, the rest as second and third devices;
 *   platforms, agent versions and last-seen times mixed (recent, stale,
 *   offline, never seen); about 3 % behind their worker's state version
 *   (which moved long ago); a few revoked;
 * - pauses: over the last 30 days in 2-hour working-hours slots, so one
 *   worker's pauses are at least 30 minutes apart; how often people pause is
 *   skewed (some never do); a quarter scheduled, some cancelled, some ended
 *   early;
 * - exemption requests: over the last year, by reason and status, with the
 *   history rows the app writes (filed, then decided / withdrawn / revoked /
 *   ended early);
 * - acknowledgements: version 1 of the monitoring notice signed by most
 *   people who were there, the current version 2 by about 90 % of active people.
 *
 * Times are stored as the app's adapter stores them ("…+00:00").
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { lastUtcDays } from "#app/domain/fleet-health.ts";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  apportion,
  between,
  fakeCuid,
  normal,
  openForSeeding,
  seededRandom,
  weighted,
  weights,
  words,
} from "./seed.ts";

export const MONITORING_NOTICE = "monitoring-notice";

export type OrganisationOptions = {
  now: Date;
  seed: number;
  /** Active people with the WORKER role and no reports. */
  workers: number;
  /** Deactivated workers (their devices revoked). */
  deactivated: number;
  /** Directors and line managers (active, WORKER role). */
  managers: number;
  reviewers: number;
  /** Device rows in all (active and revoked). */
  devices: number;
  /** Pauses over the last 30 days. */
  pauses: number;
  exemptions: number;
  /** Share of active people who signed the current notice (0–1). */
  acknowledgedShare: number;
  /** Days of IngestDay rows, today included. */
  ingestDays: number;
  policyChanges: number;
  /** Other audit events over the last year (sign-ins, pauses...). */
  auditEvents: number;
  admin: { email: string; name: string; timezone: string; passwordHash: string };
};

/** The people of `npm run bench:admin`'s organisation around `workers` active workers. */
export function organisationPeople(workers: number) {
  return {
    workers,
    deactivated: Math.round(workers * 0.03),
    managers: Math.max(2, Math.round(workers / 25)),
    reviewers: 10,
  };
}

export type OrganisationSummary = {
  seconds: number;
  adminId: string;
  people: {
    total: number;
    active: number;
    workers: number;
    directors: number;
    lineManagers: number;
    reviewers: number;
    deactivated: number;
    withoutManager: number;
  };
  /** Direct-report counts of the line managers. */
  teams: { count: number; under5: number; smallest: number; median: number; largest: number };
  devices: { total: number; revoked: number; behind: number; neverSeen: number };
  pauses: { total: number; scheduled: number; cancelled: number; endedEarly: number };
  exemptions: {
    total: number;
    historyRows: number;
    byStatus: Record<string, number>;
    byReason: Record<string, number>;
  };
  acknowledgements: { previous: number; current: number };
  notice: { id: string; version: number };
  ingestDays: number;
  auditEvents: number;
  policyChanges: number;
};

export const FIRST_NAMES = words(`
Maria James Aisha Wei Olga Carlos Fatima John Priya Lukas Emma Noah Sofia Mateo Amara Kenji Ines
David Leila Tomasz Hannah Omar Chloe Ravi Elena Samuel Yuki Ana Peter Grace Ahmed Julia Daniel
Mei Lars Nadia Victor Zoe Ibrahim Clara Felix Rosa Hugo Nora Arjun Lina Marco Eva Kwame Sara`);
export const LAST_NAMES = words(`
Johnson Anderson Wilson Garcia Müller Nguyen Kowalski Smith Patel Okafor Rossi Dubois Tanaka
Silva Hansen Jackson Ivanova Cohen Larsen Fernandez Brown Schmidt Kim Haddad Novak Martin
Persson O'Brien Lopez Wang Davidson Richter Mensah Ali Carter Berg Nielsen Moreau Yilmaz Taylor
Peterson Singh Kuznetsov Costa Evans Thompson Bianchi Sato Fischer Harrison`);
export const TIMEZONES = weights(
  "Europe/Berlin 30, Europe/London 15, America/New_York 15, Asia/Kolkata 12, America/Los_Angeles 8, Asia/Tokyo 6, America/Sao_Paulo 6, Australia/Sydney 4, Africa/Nairobi 4",
);
const PLATFORMS = weights<"windows" | "macos" | "linux">("windows 55, macos 30, linux 15");
const AGENT_VERSIONS = weights("1.4.2 48, 1.4.1 24, 1.3.0 15, 1.2.5 8, 1.1.0 4, 0.9.8 1");
const DEVICE_NAMES = {
  windows: ["Work laptop", "Office desktop", "ThinkPad", "Surface"],
  macos: ["MacBook Pro", "MacBook Air", "iMac"],
  linux: ["Workstation", "Dev laptop", "Build box"],
} as const;
const REASONS = weights(
  "MEDICAL 30, PERSONAL_DEVICE 20, CONFIDENTIAL_WORK 20, OTHER 15, LEGAL_OR_HR 12, UNION_ACTIVITY 3",
);
const OUTCOMES = weights("PENDING 12, APPROVED 50, DENIED 14, WITHDRAWN 9, REVOKED 5, EXPIRED 10");
const JUSTIFICATIONS = [
  "Regular appointments at the clinic on these afternoons; I would rather they were not recorded.",
  "I handle confidential HR case files during this period and need collection off for them.",
  "Union meetings on these days, which should not be monitored by the employer.",
  "Working from my own computer while mine is repaired; please do not collect on it.",
  "Legal advice sessions that are privileged; collection must stop for their duration.",
  "Family matter that needs calls and forms during working hours for a few weeks.",
];
const AUDIT_ACTIONS = weights(
  "auth.sign_in 50, auth.sign_out 7, pause.start 20, pause.schedule 8, pause.end_early 5, acknowledgement.sign 5, device.enroll 3, exemption.request 2",
);

type Person = {
  id: string;
  email: string;
  name: string;
  role: "WORKER" | "REVIEWER" | "ADMIN";
  timezone: string;
  managerId: string | null;
  createdAt: number;
  deactivatedAt: number | null;
  /** Bumped by every change to the person's windows or gate, as the app does. */
  stateVersion: number;
  stateVersionAt: number | null;
};

function bump(person: Person, at: number): void {
  person.stateVersion++;
  person.stateVersionAt = Math.max(person.stateVersionAt ?? 0, at);
}

/** Writes the organisation into `file` (already migrated). */
export function seedOrganisation(file: string, opts: OrganisationOptions): OrganisationSummary {
  const started = performance.now();
  const now = opts.now.getTime();
  const random = seededRandom(opts.seed);
  const idRandom = seededRandom(opts.seed ^ 0x0a11);
  const newId = () => fakeCuid(idRandom);

  // People ---------------------------------------------------------------------
  const people: Person[] = [];
  let emailSerial = 0;
  const person = (
    role: Person["role"],
    managerId: string | null,
    createdAt: number,
    deactivatedAt: number | null = null,
  ): Person => {
    const first = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]!;
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, "");
    const p: Person = {
      id: newId(),
      email: `${local}.${++emailSerial}@bench.lull.test`,
      name: `${first} ${last}`,
      role,
      timezone: weighted(random, TIMEZONES),
      managerId,
      createdAt: Math.floor(createdAt / 1000) * 1000,
      deactivatedAt: deactivatedAt === null ? null : Math.floor(deactivatedAt / 1000) * 1000,
      stateVersion: 1,
      stateVersionAt: null,
    };
    people.push(p);
    return p;
  };
  const joined = (minDays: number, maxDays: number) =>
    now - between(random, minDays, maxDays) * DAY_MS;

  const admin: Person = {
    ...person("ADMIN", null, joined(700, 900)),
    email: opts.admin.email,
    name: opts.admin.name,
    timezone: opts.admin.timezone,
  };
  people[people.length - 1] = admin;
  const directorCount = Math.max(1, Math.round(opts.managers / 20));
  const directors = Array.from({ length: Math.min(directorCount, opts.managers) }, () =>
    person("WORKER", null, joined(500, 1000)),
  );
  const lineManagers = Array.from({ length: opts.managers - directors.length }, (_, i) =>
    person("WORKER", directors[i % directors.length]!.id, joined(200, 900)),
  );
  const reviewers = Array.from({ length: opts.reviewers }, (_, i) =>
    person(
      "REVIEWER",
      directors.length ? directors[i % directors.length]!.id : null,
      joined(200, 800),
    ),
  );
  // Team sizes: a few teams of 1–4, the others log-normal around the mean.
  const withoutManager = lineManagers.length ? Math.round(opts.workers * 0.01) : opts.workers;
  const small = lineManagers.length >= 10 ? Math.max(1, Math.round(lineManagers.length * 0.08)) : 0;
  const smallSizes = Array.from({ length: small }, () => 1 + Math.floor(random() * 4));
  const inSmall = smallSizes.reduce((a, b) => a + b, 0);
  const bigSizes = apportion(
    Math.max(0, opts.workers - withoutManager - inSmall),
    Array.from({ length: lineManagers.length - small }, () => Math.exp(0.55 * normal(random))),
  );
  const teamSizes = [...smallSizes, ...bigSizes];
  const workers: Person[] = [];
  lineManagers.forEach((m, i) => {
    for (let k = 0; k < (teamSizes[i] ?? 0); k++)
      workers.push(person("WORKER", m.id, joined(35, 900)));
  });
  while (workers.length < opts.workers) workers.push(person("WORKER", null, joined(35, 900)));
  const deactivated = Array.from({ length: opts.deactivated }, () =>
    person(
      "WORKER",
      lineManagers.length ? lineManagers[Math.floor(random() * lineManagers.length)]!.id : null,
      joined(400, 1000),
      joined(1, 250),
    ),
  );
  const active = people.filter((p) => p.deactivatedAt === null);
  /** Everyone who pauses, files requests and has devices: active people but the admin. */
  const staff = active.filter((p) => p.role !== "ADMIN");

  // Monitoring notice: version 1 (superseded) and version 2 (current) ---------
  const noticeTitle = "How Lull monitors work computers";
  const noticeBody = (version: number) =>
    `# Monitoring notice, version ${version}\n\nWhat the agent collects, when it stops, and how to pause it.\n`;
  const v1At = now - 300 * DAY_MS;
  const v2At = now - 45 * DAY_MS;
  const notices = [1, 2].map((version) => {
    const body = noticeBody(version);
    return {
      id: newId(),
      version,
      body,
      publishedAt: version === 1 ? v1At : v2At,
      sha: createHash("sha256").update(`${noticeTitle}\n${body}`).digest("hex"),
    };
  });
  type Ack = { person: Person; notice: (typeof notices)[number]; signedAt: number };
  const acks: Ack[] = [];
  for (const p of people) {
    const leftAt = p.deactivatedAt ?? now;
    if (p.createdAt < v2At && random() < 0.97) {
      const from = Math.max(p.createdAt, v1At);
      const signedAt = Math.min(from + between(random, 0.01, 20) * DAY_MS, v2At - HOUR_MS, leftAt);
      if (signedAt > from) acks.push({ person: p, notice: notices[0]!, signedAt });
    }
    const share = p.role === "ADMIN" ? 1 : p.deactivatedAt === null ? opts.acknowledgedShare : 0.8;
    if (random() < share) {
      const from = Math.max(p.createdAt, v2At);
      const signedAt = Math.min(from + between(random, 0.01, 20) * DAY_MS, leftAt - HOUR_MS);
      if (signedAt > from) acks.push({ person: p, notice: notices[1]!, signedAt });
    }
  }
  for (const a of acks) bump(a.person, a.signedAt);

  // Pauses: distinct 2-hour working-hours slots over the last 30 days -----------
  const slots: number[] = [];
  for (
    let t = Math.ceil((now - 30 * DAY_MS) / (2 * HOUR_MS)) * 2 * HOUR_MS;
    t + 95 * MINUTE_MS < now;
    t += 2 * HOUR_MS
  ) {
    const hour = new Date(t).getUTCHours();
    if (hour >= 4 && hour <= 18) slots.push(t);
  }
  const pauseWeights = staff.map(() => (random() < 0.1 ? 0 : Math.exp(0.8 * normal(random))));
  const pauseCounts = apportion(opts.pauses, pauseWeights).map((n) => Math.min(n, slots.length));
  // What the cap cut goes to the others, in turn.
  let short = opts.pauses - pauseCounts.reduce((a, b) => a + b, 0);
  for (let i = 0; short > 0 && i < staff.length * slots.length; i++) {
    const k = i % staff.length;
    if (pauseWeights[k]! > 0 && pauseCounts[k]! < slots.length) {
      pauseCounts[k]!++;
      short--;
    }
  }
  type PauseRow = {
    workerId: string;
    kind: "NOW" | "SCHEDULED";
    startsAt: number;
    endsAt: number;
    createdAt: number;
    endedEarlyAt: number | null;
    cancelledAt: number | null;
  };
  const pauses: PauseRow[] = [];
  staff.forEach((p, i) => {
    const count = pauseCounts[i]!;
    if (count === 0) return;
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(random() * slots.length));
    for (const slot of [...chosen].sort((a, b) => a - b)) {
      const startsAt = slots[slot]! + Math.floor(random() * 3600) * 1000;
      const duration = Math.round(between(random, 5, 30)) * MINUTE_MS;
      const scheduled = random() < 0.25;
      const createdAt = scheduled
        ? startsAt - Math.floor(between(random, 30, 24 * 60)) * MINUTE_MS
        : startsAt;
      const cancelled = scheduled && random() < 0.2;
      const endedEarly = !cancelled && random() < 0.18;
      const row: PauseRow = {
        workerId: p.id,
        kind: scheduled ? "SCHEDULED" : "NOW",
        startsAt,
        endsAt: startsAt + duration,
        createdAt,
        endedEarlyAt: endedEarly
          ? startsAt + Math.floor((duration * between(random, 0.2, 0.9)) / 1000) * 1000
          : null,
        cancelledAt: cancelled
          ? createdAt + Math.floor(((startsAt - createdAt) * random()) / 1000) * 1000
          : null,
      };
      pauses.push(row);
      bump(p, row.createdAt);
      if (row.endedEarlyAt !== null) bump(p, row.endedEarlyAt);
      if (row.cancelledAt !== null) bump(p, row.cancelledAt);
    }
  });

  // Exemption requests and their history --------------------------------------
  const deciders = [admin, ...reviewers];
  const filers = staff.filter(() => random() < 0.3);
  type Change = {
    from: string | null;
    to: string;
    actorId: string;
    at: number;
    note: string | null;
  };
  type ExemptionRow = {
    id: string;
    worker: Person;
    reason: string;
    justification: string;
    scopeTypes: string | null;
    startsAt: number;
    endsAt: number;
    recurrence: [string, string, string] | null;
    status: string;
    reviewerId: string | null;
    decisionNote: string | null;
    decidedAt: number | null;
    endedEarlyAt: number | null;
    createdAt: number;
    history: Change[];
  };
  const exemptions: ExemptionRow[] = [];
  const pool = filers.length ? filers : staff;
  for (let i = 0; i < opts.exemptions && pool.length; i++) {
    const worker = pool[Math.floor(random() * pool.length)]!;
    const createdAt =
      Math.floor(
        Math.max(worker.createdAt + HOUR_MS, now - between(random, 0.05, 365) * DAY_MS) / 1000,
      ) * 1000;
    const startsAt = createdAt + Math.floor(between(random, 0, 14) * 24) * HOUR_MS;
    const endsAt = startsAt + Math.ceil(between(random, 1, 90)) * DAY_MS;
    const row: ExemptionRow = {
      id: newId(),
      worker,
      reason: weighted(random, REASONS),
      justification: JUSTIFICATIONS[Math.floor(random() * JUSTIFICATIONS.length)]!,
      scopeTypes: random() < 0.6 ? null : random() < 0.5 ? "keystroke,click" : "app_focus",
      startsAt,
      endsAt,
      recurrence: random() < 0.3 ? [random() < 0.5 ? "2,4" : "1,3,5", "14:00", "16:00"] : null,
      status: "PENDING",
      reviewerId: null,
      decisionNote: null,
      decidedAt: null,
      endedEarlyAt: null,
      createdAt,
      history: [{ from: null, to: "PENDING", actorId: worker.id, at: createdAt, note: null }],
    };
    const outcome = weighted(random, OUTCOMES);
    // Decisions take minutes to days (log-normal, median about 20 hours).
    const decidedAt =
      Math.floor(
        (createdAt +
          Math.min(
            14 * DAY_MS,
            Math.max(10 * MINUTE_MS, 20 * HOUR_MS * Math.exp(1.2 * normal(random))),
          )) /
          1000,
      ) * 1000;
    const reviewer = deciders[Math.floor(random() * deciders.length)]!;
    // Nothing in the last 10 minutes, so "behind" (a minute's grace) cannot change during a run.
    if (outcome !== "PENDING" && decidedAt < now - 10 * MINUTE_MS) {
      if (outcome === "WITHDRAWN") {
        row.status = "WITHDRAWN";
        row.history.push({
          from: "PENDING",
          to: "WITHDRAWN",
          actorId: worker.id,
          at: decidedAt,
          note: null,
        });
        bump(worker, decidedAt);
      } else if (outcome === "DENIED") {
        row.status = "DENIED";
        row.reviewerId = reviewer.id;
        row.decidedAt = decidedAt;
        row.decisionNote = "Please use pauses for this, or talk to your manager.";
        row.history.push({
          from: "PENDING",
          to: "DENIED",
          actorId: reviewer.id,
          at: decidedAt,
          note: row.decisionNote,
        });
      } else {
        row.status = "APPROVED";
        row.reviewerId = reviewer.id;
        row.decidedAt = decidedAt;
        row.history.push({
          from: "PENDING",
          to: "APPROVED",
          actorId: reviewer.id,
          at: decidedAt,
          note: null,
        });
        bump(worker, decidedAt);
        const latest = Math.min(endsAt, now - 10 * MINUTE_MS);
        const from = Math.max(decidedAt, startsAt);
        if ((outcome === "REVOKED" || outcome === "EXPIRED") && latest > from) {
          const at = Math.floor((from + random() * (latest - from)) / 1000) * 1000;
          row.endedEarlyAt = at;
          bump(worker, at);
          if (outcome === "REVOKED") {
            const revoker = deciders[Math.floor(random() * deciders.length)]!;
            row.status = "REVOKED";
            row.reviewerId = revoker.id;
            row.decidedAt = at;
            row.decisionNote = "No longer needed for this work.";
            row.history.push({
              from: "APPROVED",
              to: "REVOKED",
              actorId: revoker.id,
              at,
              note: row.decisionNote,
            });
          } else {
            row.status = "EXPIRED";
            row.history.push({
              from: "APPROVED",
              to: "EXPIRED",
              actorId: worker.id,
              at,
              note: null,
            });
          }
        }
      }
    }
    exemptions.push(row);
  }

  // Devices --------------------------------------------------------------------
  type DeviceRow = {
    id: string;
    worker: Person;
    name: string;
    platform: string;
    agentVersion: string;
    createdAt: number;
    lastSeenAt: number | null;
    lastStateVersion: number | null;
    revokedAt: number | null;
  };
  const owners = [...staff, ...deactivated];
  const order = owners.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const deviceOwners: Person[] = [];
  for (let i = 0; i < opts.devices; i++) {
    deviceOwners.push(
      i < order.length ? owners[order[i]!]! : staff[Math.floor(random() * staff.length)]!,
    );
  }
  const devices: DeviceRow[] = [];
  let behind = 0;
  let neverSeen = 0;
  for (const owner of deviceOwners) {
    const platform = weighted(random, PLATFORMS);
    const names = DEVICE_NAMES[platform];
    const createdAt =
      Math.floor(
        between(random, owner.createdAt, Math.min(now, owner.deactivatedAt ?? now) - DAY_MS) / 1000,
      ) * 1000;
    const revokedAt =
      owner.deactivatedAt ??
      (random() < 0.02 ? Math.floor(between(random, createdAt, now) / 1000) * 1000 : null);
    const r = random();
    const until = revokedAt ?? now;
    const lastSeenAt =
      r < 0.03
        ? null
        : r < 0.83
          ? until - Math.floor(random() * 14 * 60) * 1000
          : r < 0.93
            ? until - Math.floor(between(random, 16, 23 * 60) * 60) * 1000
            : until - Math.floor((between(random, 1.1, 14) * DAY_MS) / 1000) * 1000;
    let lastStateVersion: number | null = lastSeenAt === null ? null : owner.stateVersion;
    if (lastSeenAt === null) neverSeen++;
    else if (owner.stateVersion >= 2 && random() < 0.03) {
      lastStateVersion = Math.max(1, owner.stateVersion - 1 - Math.floor(random() * 3));
    }
    if (
      revokedAt === null &&
      (lastStateVersion === null || lastStateVersion < owner.stateVersion) &&
      Math.max(owner.stateVersionAt ?? 0, createdAt) <= now - MINUTE_MS
    ) {
      behind++;
    }
    devices.push({
      id: newId(),
      worker: owner,
      name: names[Math.floor(random() * names.length)]!,
      platform,
      agentVersion: weighted(random, AGENT_VERSIONS),
      createdAt,
      lastSeenAt: lastSeenAt === null ? null : Math.max(lastSeenAt, createdAt),
      lastStateVersion,
      revokedAt,
    });
  }

  // Write ----------------------------------------------------------------------
  const db = openForSeeding(file);
  try {
    const t = (instant: number | null) => (instant === null ? null : toStoredDateTime(instant));
    const stamp = toStoredDateTime(now);

    db.transaction(() => {
      const insertUser = db.prepare(
        `INSERT INTO "User" ("id", "email", "name", "role", "timezone", "managerId", "deactivatedAt", "stateVersion", "stateVersionAt", "createdAt", "updatedAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // Managers before their reports (the foreign key is checked on insert).
      const byRank = [
        admin,
        ...directors,
        ...lineManagers,
        ...reviewers,
        ...workers,
        ...deactivated,
      ];
      for (const p of byRank) {
        insertUser.run(
          p.id,
          p.email,
          p.name,
          p.role,
          p.timezone,
          p.managerId,
          t(p.deactivatedAt),
          p.stateVersion,
          t(p.stateVersionAt),
          t(p.createdAt),
          t(p.deactivatedAt ?? p.createdAt),
        );
      }
      db.prepare(`INSERT INTO "Password" ("hash", "userId") VALUES (?, ?)`).run(
        opts.admin.passwordHash,
        admin.id,
      );
    })();

    db.transaction(() => {
      const insertDevice = db.prepare(
        `INSERT INTO "Device" ("id", "workerId", "name", "platform", "agentVersion", "tokenHash", "createdAt", "lastSeenAt", "lastStateVersion", "revokedAt", "storedEvents")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const d of devices) {
        insertDevice.run(
          d.id,
          d.worker.id,
          d.name,
          d.platform,
          d.agentVersion,
          createHash("sha256").update(`bench-admin-token-${d.id}`).digest("hex"),
          t(d.createdAt),
          t(d.lastSeenAt),
          d.lastStateVersion,
          t(d.revokedAt),
          d.lastSeenAt === null ? 0 : Math.floor(random() * 500_000),
        );
      }
    })();

    db.transaction(() => {
      const insertPause = db.prepare(
        `INSERT INTO "Pause" ("id", "workerId", "kind", "startsAt", "endsAt", "createdAt", "endedEarlyAt", "cancelledAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // In creation order, as the app writes them.
      pauses.sort((a, b) => a.createdAt - b.createdAt);
      for (const p of pauses) {
        insertPause.run(
          newId(),
          p.workerId,
          p.kind,
          t(p.startsAt),
          t(p.endsAt),
          t(p.createdAt),
          t(p.endedEarlyAt),
          t(p.cancelledAt),
        );
      }
    })();

    let historyRows = 0;
    db.transaction(() => {
      const insertRequest = db.prepare(
        `INSERT INTO "ExemptionRequest" ("id", "workerId", "reason", "justification", "scopeTypes", "startsAt", "endsAt", "recurrenceDays", "recurrenceStart", "recurrenceEnd", "timeZone", "status", "reviewerId", "decisionNote", "decidedAt", "endedEarlyAt", "createdAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertChange = db.prepare(
        `INSERT INTO "ExemptionStatusChange" ("id", "requestId", "fromStatus", "toStatus", "actorId", "note", "at")
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      exemptions.sort((a, b) => a.createdAt - b.createdAt);
      for (const e of exemptions) {
        insertRequest.run(
          e.id,
          e.worker.id,
          e.reason,
          e.justification,
          e.scopeTypes,
          t(e.startsAt),
          t(e.endsAt),
          e.recurrence?.[0] ?? null,
          e.recurrence?.[1] ?? null,
          e.recurrence?.[2] ?? null,
          e.worker.timezone,
          e.status,
          e.reviewerId,
          e.decisionNote,
          t(e.decidedAt),
          t(e.endedEarlyAt),
          t(e.createdAt),
        );
        for (const c of e.history) {
          insertChange.run(newId(), e.id, c.from, c.to, c.actorId, c.note, t(c.at));
          historyRows++;
        }
      }
    })();

    db.transaction(() => {
      // Inserted already published: the triggers refuse to change a published version.
      const insertDocument = db.prepare(
        `INSERT INTO "PolicyDocument" ("id", "slug", "version", "title", "body", "contentSha256", "summaryOfChanges", "requiresAcknowledgement", "createdAt", "createdById", "publishedAt", "publishedById")
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      );
      for (const n of notices) {
        insertDocument.run(
          n.id,
          MONITORING_NOTICE,
          n.version,
          noticeTitle,
          n.body,
          n.sha,
          n.version === 1 ? null : "Clearer words on pauses and exemptions.",
          t(n.publishedAt - 2 * DAY_MS),
          admin.id,
          t(n.publishedAt),
          admin.id,
        );
      }
      const insertAck = db.prepare(
        `INSERT INTO "Acknowledgement" ("id", "workerId", "documentId", "contentSha256", "signedName", "signedAt", "ip", "userAgent", "receipt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      acks.sort((a, b) => a.signedAt - b.signedAt);
      for (const a of acks) {
        const id = newId();
        const signedAt = Math.floor(a.signedAt / 1000) * 1000;
        const receipt = JSON.stringify({
          payload: {
            ack: id,
            document: a.notice.id,
            sha256: a.notice.sha,
            signedAt: new Date(signedAt).toISOString(),
          },
          signature: "bench-unsigned",
        });
        insertAck.run(
          id,
          a.person.id,
          a.notice.id,
          a.notice.sha,
          a.person.name,
          t(signedAt),
          `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
          "Mozilla/5.0 (bench)",
          receipt,
        );
      }
    })();

    db.transaction(() => {
      const insertDay = db.prepare(
        `INSERT INTO "IngestDay" ("day", "stored", "discardedPaused", "discardedExempt", "discardedUnacknowledged", "rejectedFuture")
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const day of lastUtcDays(opts.now, opts.ingestDays)) {
        const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() % 6 !== 0;
        const scale = devices.length * (weekday ? 1 : 0.08);
        insertDay.run(
          day,
          Math.round(scale * between(random, 18_000, 26_000)),
          Math.round(scale * between(random, 0, 0.05)),
          Math.round(scale * between(random, 0, 0.02)),
          Math.round(scale * between(random, 0, 0.03)),
          Math.round(scale * between(random, 0, 0.002)),
        );
      }
    })();

    db.transaction(() => {
      const insertAudit = db.prepare(
        `INSERT INTO "AuditEvent" ("id", "at", "actorId", "subjectUserId", "action", "targetType", "targetId", "metadata")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const events: {
        at: number;
        actor: string | null;
        subject: string | null;
        action: string;
        targetType: string | null;
        targetId: string | null;
        metadata: string;
      }[] = [];
      for (let i = 0; i < opts.auditEvents; i++) {
        const p = active[Math.floor(random() * active.length)]!;
        events.push({
          at:
            Math.floor(Math.max(p.createdAt, now - between(random, 0, 365) * DAY_MS) / 1000) * 1000,
          actor: p.id,
          subject: p.id,
          action: weighted(random, AUDIT_ACTIONS),
          targetType: null,
          targetId: null,
          metadata: "{}",
        });
      }
      // Policy changes: each field moves from its current value to another allowed one.
      const policy: Record<string, number | boolean | null> = {
        maxPauseMinutes: 30,
        minGapMinutes: 15,
        maxPauseMinutesPerDay: null,
        scheduleAheadDays: 14,
        retentionDays: 90,
        maxExemptionDays: 90,
        requireAcknowledgementBeforeCollection: true,
      };
      const choices: Record<string, (number | boolean | null)[]> = {
        maxPauseMinutes: [15, 20, 25, 30],
        minGapMinutes: [5, 10, 15, 30],
        maxPauseMinutesPerDay: [null, 60, 90, 120],
        scheduleAheadDays: [7, 14, 30],
        retentionDays: [60, 90, 120, 180],
        maxExemptionDays: [30, 60, 90],
        requireAcknowledgementBeforeCollection: [true, false],
      };
      const fields = Object.keys(choices);
      const changeTimes = Array.from(
        { length: opts.policyChanges },
        () => Math.floor((now - between(random, 1, 365) * DAY_MS) / 1000) * 1000,
      ).sort((a, b) => a - b);
      for (const at of changeTimes) {
        const field = fields[Math.floor(random() * fields.length)]!;
        const options = choices[field]!.filter((v) => v !== policy[field]);
        const to = options[Math.floor(random() * options.length)]!;
        events.push({
          at,
          actor: admin.id,
          subject: null,
          action: "policy.update",
          targetType: "Policy",
          targetId: field,
          metadata: JSON.stringify({ field, from: policy[field], to }),
        });
        policy[field] = to;
      }
      // The gate is on at the end, as the acknowledgement figures assume.
      if (policy.requireAcknowledgementBeforeCollection === false && changeTimes.length) {
        events.push({
          at: Math.floor((now - HOUR_MS) / 1000) * 1000,
          actor: admin.id,
          subject: null,
          action: "policy.update",
          targetType: "Policy",
          targetId: "requireAcknowledgementBeforeCollection",
          metadata: JSON.stringify({
            field: "requireAcknowledgementBeforeCollection",
            from: false,
            to: true,
          }),
        });
        policy.requireAcknowledgementBeforeCollection = true;
      }
      events.sort((a, b) => a.at - b.at);
      for (const e of events) {
        insertAudit.run(
          newId(),
          t(e.at),
          e.actor,
          e.subject,
          e.action,
          e.targetType,
          e.targetId,
          e.metadata,
        );
      }
      db.prepare(
        `UPDATE "Policy" SET "maxPauseMinutes" = ?, "minGapMinutes" = ?, "maxPauseMinutesPerDay" = ?,
           "scheduleAheadDays" = ?, "retentionDays" = ?, "maxExemptionDays" = ?,
           "requireAcknowledgementBeforeCollection" = ?, "updatedAt" = ?, "updatedById" = ? WHERE "id" = 1`,
      ).run(
        policy.maxPauseMinutes,
        policy.minGapMinutes,
        policy.maxPauseMinutesPerDay,
        policy.scheduleAheadDays,
        policy.retentionDays,
        policy.maxExemptionDays,
        policy.requireAcknowledgementBeforeCollection ? 1 : 0,
        stamp,
        admin.id,
      );
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.pragma("optimize");

    const sizes = [...teamSizes].sort((a, b) => a - b);
    const count = (values: string[]) =>
      values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {});
    return {
      seconds: (performance.now() - started) / 1000,
      adminId: admin.id,
      people: {
        total: people.length,
        active: active.length,
        workers: workers.length,
        directors: directors.length,
        lineManagers: lineManagers.length,
        reviewers: reviewers.length,
        deactivated: deactivated.length,
        withoutManager: active.filter((p) => p.managerId === null).length,
      },
      teams: {
        count: sizes.length,
        under5: sizes.filter((s) => s < 5).length,
        smallest: sizes[0] ?? 0,
        median: sizes[sizes.length >> 1] ?? 0,
        largest: sizes[sizes.length - 1] ?? 0,
      },
      devices: {
        total: devices.length,
        revoked: devices.filter((d) => d.revokedAt !== null).length,
        behind,
        neverSeen,
      },
      pauses: {
        total: pauses.length,
        scheduled: pauses.filter((p) => p.kind === "SCHEDULED").length,
        cancelled: pauses.filter((p) => p.cancelledAt !== null).length,
        endedEarly: pauses.filter((p) => p.endedEarlyAt !== null).length,
      },
      exemptions: {
        total: exemptions.length,
        historyRows,
        byStatus: count(exemptions.map((e) => e.status)),
        byReason: count(exemptions.map((e) => e.reason)),
      },
      acknowledgements: {
        previous: acks.filter((a) => a.notice.version === 1).length,
        current: acks.filter((a) => a.notice.version === 2).length,
      },
      notice: { id: notices[1]!.id, version: 2 },
      ingestDays: opts.ingestDays,
      auditEvents: opts.auditEvents,
      policyChanges: opts.policyChanges,
    };
  } finally {
    db.close();
  }
}
