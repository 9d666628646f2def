/**
 * Demo organisation for development and e2e tests. Idempotent: running it
 * again updates the same people instead of adding more. Refuses to run in
 * production. `--if-empty` seeds only a database with no users (npm run setup).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { MONITORING_NOTICE_SLUG } from "../app/domain/acknowledgement-rules.ts";
import type { Role } from "../app/domain/roles.ts";
import type { EventBatch } from "../app/agent-protocol/v1.ts";
import { normalizePattern } from "../app/agent-protocol/private-apps.ts";
import { signDocument } from "../app/models/acknowledgement.server.ts";
import { ingestBatch } from "../app/models/ingest.server.ts";
import { requestDataset } from "../app/models/dataset.server.ts";
import { drainDatasetQueue } from "../app/jobs/dataset-builder.server.ts";
import { createDraft, publishDraft } from "../app/models/policy-document.server.ts";
import { runRetention } from "../app/models/retention.server.ts";
import { firstDueAt } from "../app/domain/rights-deadlines.ts";
import { prisma } from "../app/utils/db.server.ts";
import { hashPassword } from "../app/utils/password.server.ts";

export const DEMO_PASSWORD = "lull-demo-password";

type Person = { email: string; name: string; role: Role; timezone: string; manager?: string };

const MANAGERS: Person[] = [
  { email: "admin@lull.test", name: "Amara Okafor", role: "ADMIN", timezone: "Europe/London" },
  {
    email: "reviewer@lull.test",
    name: "Rafael Souza",
    role: "REVIEWER",
    timezone: "America/Sao_Paulo",
  },
  {
    email: "hana.kobayashi@lull.test",
    name: "Hana Kobayashi",
    role: "REVIEWER",
    timezone: "Asia/Tokyo",
  },
  {
    email: "marcus.webb@lull.test",
    name: "Marcus Webb",
    role: "WORKER",
    timezone: "America/New_York",
  },
  // Builds the AI-training datasets (ADR 0043).
  {
    email: "steward@lull.test",
    name: "Dana Whitfield",
    role: "DATA_STEWARD",
    timezone: "Europe/Berlin",
  },
  // The works council's seat (ADR 0042): aggregates, the policy and purpose history, co-signing.
  {
    email: "rep@lull.test",
    name: "Ines Moreau",
    role: "REPRESENTATIVE",
    timezone: "Europe/Paris",
  },
];

const WORKERS: Person[] = [
  {
    email: "worker@lull.test",
    name: "Wren Castellanos",
    role: "WORKER",
    timezone: "Europe/Berlin",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "priya.nair@lull.test",
    name: "Priya Nair",
    role: "WORKER",
    timezone: "Asia/Kolkata",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "tomasz.nowak@lull.test",
    name: "Tomasz Nowak",
    role: "WORKER",
    timezone: "Europe/Warsaw",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "lucia.fernandez@lull.test",
    name: "Lucía Fernández",
    role: "WORKER",
    timezone: "Europe/Madrid",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "kwame.mensah@lull.test",
    name: "Kwame Mensah",
    role: "WORKER",
    timezone: "Africa/Accra",
    manager: "reviewer@lull.test",
  },
  {
    email: "sofia.rossi@lull.test",
    name: "Sofia Rossi",
    role: "WORKER",
    timezone: "Europe/Rome",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "daniel.kim@lull.test",
    name: "Daniel Kim",
    role: "WORKER",
    timezone: "America/Los_Angeles",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "aisha.rahman@lull.test",
    name: "Aisha Rahman",
    role: "WORKER",
    timezone: "Asia/Dhaka",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "liam.obrien@lull.test",
    name: "Liam O'Brien",
    role: "WORKER",
    timezone: "Europe/Dublin",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "mei.chen@lull.test",
    name: "Mei Chen",
    role: "WORKER",
    timezone: "Asia/Shanghai",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "olusegun.adeyemi@lull.test",
    name: "Olusegun Adeyemi",
    role: "WORKER",
    timezone: "Africa/Lagos",
    manager: "reviewer@lull.test",
  },
  {
    email: "emma.johansson@lull.test",
    name: "Emma Johansson",
    role: "WORKER",
    timezone: "Europe/Stockholm",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "diego.ramirez@lull.test",
    name: "Diego Ramírez",
    role: "WORKER",
    timezone: "America/Mexico_City",
    manager: "reviewer@lull.test",
  },
  {
    email: "fatima.zahra@lull.test",
    name: "Fatima Zahra",
    role: "WORKER",
    timezone: "Africa/Casablanca",
    manager: "reviewer@lull.test",
  },
  {
    email: "noah.williams@lull.test",
    name: "Noah Williams",
    role: "WORKER",
    timezone: "Australia/Sydney",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "yuki.tanaka@lull.test",
    name: "Yuki Tanaka",
    role: "WORKER",
    timezone: "Asia/Tokyo",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "grace.mwangi@lull.test",
    name: "Grace Mwangi",
    role: "WORKER",
    timezone: "Africa/Nairobi",
    manager: "reviewer@lull.test",
  },
  {
    email: "ethan.brown@lull.test",
    name: "Ethan Brown",
    role: "WORKER",
    timezone: "America/Chicago",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "ines.dubois@lull.test",
    name: "Inès Dubois",
    role: "WORKER",
    timezone: "Europe/Paris",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "arjun.patel@lull.test",
    name: "Arjun Patel",
    role: "WORKER",
    timezone: "Asia/Kolkata",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "chloe.martin@lull.test",
    name: "Chloé Martin",
    role: "WORKER",
    timezone: "America/Toronto",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "mateo.silva@lull.test",
    name: "Mateo Silva",
    role: "WORKER",
    timezone: "America/Sao_Paulo",
    manager: "reviewer@lull.test",
  },
  {
    email: "leila.haddad@lull.test",
    name: "Leila Haddad",
    role: "WORKER",
    timezone: "Asia/Dubai",
    manager: "reviewer@lull.test",
  },
  {
    email: "oscar.lindqvist@lull.test",
    name: "Oscar Lindqvist",
    role: "WORKER",
    timezone: "Pacific/Auckland",
    manager: "hana.kobayashi@lull.test",
  },
];

export const DEMO_PEOPLE: readonly Person[] = [...MANAGERS, ...WORKERS];

export async function seed(): Promise<void> {
  if (process.env.NODE_ENV === "production") {
    throw new Error(
      "Refusing to seed demo accounts into a production database (NODE_ENV=production).",
    );
  }
  const ids = new Map<string, string>();
  for (const person of DEMO_PEOPLE) {
    const hash = await hashPassword(DEMO_PASSWORD);
    const user = await prisma.user.upsert({
      where: { email: person.email },
      create: {
        email: person.email,
        name: person.name,
        role: person.role,
        timezone: person.timezone,
        password: { create: { hash } },
      },
      update: {
        name: person.name,
        role: person.role,
        timezone: person.timezone,
        deactivatedAt: null,
        password: { upsert: { create: { hash }, update: { hash } } },
      },
      select: { id: true },
    });
    ids.set(person.email, user.id);
  }
  for (const person of DEMO_PEOPLE) {
    await prisma.user.update({
      where: { email: person.email },
      data: { managerId: person.manager ? (ids.get(person.manager) ?? null) : null },
    });
  }
  await seedExemptions(ids, new Date());
  await seedOrganisationPrivateApps(ids, new Date());
  await seedDocuments(ids, new Date());
  await seedFleetAndPauses(ids, new Date());
  await seedDemoWorkersWeek(ids.get(DEMO_WORKER)!, new Date());
  await seedDemoRetention(ids.get(DEMO_WORKER)!, new Date());
  await seedRightsRequests(ids.get(DEMO_WORKER)!, new Date());
  await seedDataset(ids, new Date());
}

/**
 * One AI-training dataset built by the data steward (ADR 0043) from the
 * first days of the demo week, so the steward's pages, the worker's Data
 * history and the lineage have something in them. Only when there is none.
 */
async function seedDataset(ids: Map<string, string>, now: Date) {
  if ((await prisma.dataset.count()) > 0) return;
  const day = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const asked = await requestDataset({
    requesterId: ids.get("steward@lull.test")!,
    name: "Typing rhythm, early demo week",
    start: new Date(day - 8 * DAY_MS),
    end: new Date(day - 4 * DAY_MS),
    purposeKey: "ai-training",
    now,
  });
  // Under a frozen calendar before the registry's first versions, there is no purpose to name.
  if (!asked.ok) return;
  await drainDatasetQueue();
}

/**
 * Two data-rights requests of the demo worker's (ADR 0042): a restriction of
 * yesterday afternoon filed today, open; and a correction filed six weeks ago,
 * now past its deadline, so the review queue and the overview flag it. Only
 * when the worker has none.
 */
async function seedRightsRequests(workerId: string, now: Date) {
  if ((await prisma.rightsRequest.count({ where: { workerId } })) > 0) return;
  const worker = await prisma.user.findUniqueOrThrow({ where: { id: workerId } });
  const timeZone = worker.timezone;
  const yesterday = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - DAY_MS);
  const filed = new Date(now.getTime() - 3_600_000);
  const due = firstDueAt(filed, timeZone);
  await prisma.rightsRequest.create({
    data: {
      workerId,
      kind: "RESTRICTION",
      spanStart: new Date(yesterday.getTime() + 13 * 3_600_000),
      spanEnd: new Date(yesterday.getTime() + 15 * 3_600_000),
      details:
        "These two hours show me typing during a workshop I ran on the whiteboard. I dispute them.",
      timeZone,
      createdAt: filed,
      dueAt: due,
      firstDueAt: due,
    },
  });
  const filedLong = new Date(now.getTime() - 42 * DAY_MS);
  const dueLong = firstDueAt(filedLong, timeZone);
  await prisma.rightsRequest.create({
    data: {
      workerId,
      kind: "CORRECTION",
      spanStart: new Date(filedLong.getTime() - 2 * DAY_MS),
      spanEnd: new Date(filedLong.getTime() - 2 * DAY_MS + 3_600_000),
      details: "A colleague used my laptop for this hour while theirs was being repaired.",
      timeZone,
      createdAt: filedLong,
      dueAt: dueLong,
      firstDueAt: dueLong,
    },
  });
}

/**
 * The privacy office's organisation-wide private applications (ADR 0041): password managers,
 * banking and health portals are never recorded for anyone. Only when the list is empty.
 */
async function seedOrganisationPrivateApps(ids: Map<string, string>, now: Date) {
  if ((await prisma.privateApp.count({ where: { workerId: null } })) > 0) return;
  const labels = ["1Password", "Bitwarden", "KeePassXC", "*online banking*", "*health portal*"];
  await prisma.privateApp.createMany({
    data: labels.map((label) => ({
      workerId: null,
      pattern: normalizePattern(label),
      label,
      createdAt: now,
      createdById: ids.get("admin@lull.test") ?? null,
    })),
  });
}

/** The demo worker (the README's sign-in) gets a week of collected data, so My data shows something. */
const DEMO_WORKER = "worker@lull.test";

const DEMO_APPS = ["Code editor", "Browser", "Terminal", "Chat", "Spreadsheet", "Mail"];

/**
 * A week of working hours on one demo laptop, uploaded through the same
 * ingestion as a real agent's batches (so pauses and exemptions are honoured
 * and the rollups match). Skipped once the laptop exists.
 */
async function seedDemoWorkersWeek(workerId: string, now: Date) {
  const name = "Work laptop (demo)";
  if (await prisma.device.findFirst({ where: { workerId, name } })) return;
  const device = await prisma.device.create({
    data: {
      workerId,
      name,
      platform: "linux",
      agentVersion: "1.2.0",
      tokenHash: createHash("sha256").update(`demo-device-${DEMO_WORKER}`).digest("hex"),
      createdAt: new Date(now.getTime() - 8 * DAY_MS),
      lastSeenAt: new Date(now.getTime() - 2 * 60_000),
    },
  });
  const HOUR = 3_600_000;
  for (let day = 7; day >= 0; day--) {
    const events: EventBatch["events"] = [];
    const midnight = Math.floor((now.getTime() - day * DAY_MS) / DAY_MS) * DAY_MS;
    for (let hour = 8; hour < 17; hour++) {
      const start = midnight + hour * HOUR;
      if (start >= now.getTime() || hour === 12) continue;
      // A busy morning, a quieter afternoon; counts vary by day and hour, the same on every run.
      const perHour = 120 + ((day * 37 + hour * 53) % 140) - (hour > 13 ? 50 : 0);
      for (let i = 0; i < perHour; i++) {
        const at = start + Math.floor((i * HOUR) / perHour);
        if (at >= now.getTime()) break;
        const type = i % 9 === 0 ? "app_focus" : i % 3 === 0 ? "click" : "keystroke";
        events.push({
          type,
          at: new Date(at).toISOString(),
          app: DEMO_APPS[(hour + Math.floor(i / 40)) % DEMO_APPS.length]!,
          data: {},
        });
      }
    }
    if (events.length === 0) continue;
    await ingestBatch(
      { id: device.id, workerId },
      { batchId: `demo-${device.id}-${day}`, events },
      now,
    );
  }
  const { stateVersion } = await prisma.user.findUniqueOrThrow({
    where: { id: workerId },
    select: { stateVersion: true },
  });
  await prisma.device.update({
    where: { id: device.id },
    data: { lastStateVersion: stateVersion },
  });
}

/**
 * An afternoon of the demo laptop's from before the retention period, and the
 * retention run that deletes it: so the demo worker's data history lists a
 * deletion, with its signed receipt (ADR 0041). Only on the first seed.
 */
async function seedDemoRetention(workerId: string, now: Date) {
  if (await prisma.deletionReceipt.findFirst({ where: { workerId } })) return;
  const device = await prisma.device.findFirstOrThrow({
    where: { workerId, name: "Work laptop (demo)" },
    select: { id: true },
  });
  const { retentionDays } = await prisma.policy.findUniqueOrThrow({
    where: { id: 1 },
    select: { retentionDays: true },
  });
  const HOUR = 3_600_000;
  const day = Math.floor((now.getTime() - (retentionDays + 2) * DAY_MS) / DAY_MS) * DAY_MS;
  const events = Array.from({ length: 90 }, (_, i) => ({
    workerId,
    deviceId: device.id,
    type: i % 3 === 0 ? "click" : "keystroke",
    at: new Date(day + 14 * HOUR + i * 2 * 60_000),
    app: DEMO_APPS[i % 2]!,
  }));
  await prisma.event.createMany({ data: events });
  const counts = new Map<string, { type: string; app: string; hour: Date; count: number }>();
  for (const e of events) {
    const hour = new Date(Math.floor(e.at.getTime() / HOUR) * HOUR);
    const key = `${e.type}|${e.app}|${hour.getTime()}`;
    const row = counts.get(key) ?? { type: e.type, app: e.app, hour, count: 0 };
    row.count += 1;
    counts.set(key, row);
  }
  await prisma.eventRollup.createMany({
    data: [...counts.values()].map((r) => ({ workerId, deviceId: device.id, ...r })),
  });
  const daily = new Map<string, { type: string; app: string; count: number }>();
  for (const r of counts.values()) {
    const row = daily.get(`${r.type}|${r.app}`) ?? { type: r.type, app: r.app, count: 0 };
    row.count += r.count;
    daily.set(`${r.type}|${r.app}`, row);
  }
  await prisma.eventRollupDay.createMany({
    data: [...daily.values()].map((r) => ({
      workerId,
      deviceId: device.id,
      ...r,
      day: new Date(day),
    })),
  });
  await runRetention({ now });
}

/**
 * People whose demo devices and past pauses fill the privacy office's fleet
 * health and overview pages. None of them is used by the e2e tests, whose
 * own checks count devices and pauses of other people.
 */
const FLEET_DEMO_PEOPLE = [
  "chloe.martin@lull.test",
  "daniel.kim@lull.test",
  "diego.ramirez@lull.test",
  "fatima.zahra@lull.test",
  "ines.dubois@lull.test",
  "lucia.fernandez@lull.test",
  "mei.chen@lull.test",
  "olusegun.adeyemi@lull.test",
  "yuki.tanaka@lull.test",
];

async function seedFleetAndPauses(ids: Map<string, string>, now: Date) {
  const platforms = ["macos", "windows", "linux", "windows"];
  const versions = ["1.2.0", "1.2.0", "1.1.3", "1.2.0", "1.0.9"];
  // Minutes since each device was last seen; null: enrolled, never connected.
  const lastSeen = [1, 3, 0, 22, 90, 60 * 30, 2, null, 5, 60 * 24 * 3];
  let n = 0;
  for (const email of FLEET_DEMO_PEOPLE) {
    const workerId = ids.get(email)!;
    if ((await prisma.device.count({ where: { workerId } })) > 0) continue;
    const { stateVersion } = await prisma.user.findUniqueOrThrow({
      where: { id: workerId },
      select: { stateVersion: true },
    });
    for (const kind of n % 3 === 0 ? ["Laptop", "Desktop"] : ["Laptop"]) {
      const minutes = lastSeen[n % lastSeen.length]!;
      await prisma.device.create({
        data: {
          workerId,
          name: `${kind} (demo)`,
          platform: platforms[n % platforms.length]!,
          agentVersion: versions[n % versions.length]!,
          // No agent holds this token: the demo device shows in lists but cannot connect.
          tokenHash: createHash("sha256").update(`demo-device-${email}-${kind}`).digest("hex"),
          createdAt: new Date(now.getTime() - 40 * DAY_MS),
          lastSeenAt: minutes === null ? null : new Date(now.getTime() - minutes * 60_000),
          // Every fourth device missed the latest change: fleet health counts it as behind.
          lastStateVersion: minutes === null ? null : n % 4 === 3 ? stateVersion - 1 : stateVersion,
        },
      });
      n++;
    }
    await prisma.user.update({
      where: { id: workerId },
      data: { stateVersionAt: new Date(now.getTime() - 2 * DAY_MS) },
    });
    // Two to four past pauses in the last four weeks, 5 to 30 minutes long.
    const count = 2 + (n % 3);
    for (let i = 0; i < count; i++) {
      const startsAt = new Date(
        Math.floor((now.getTime() - (((i * 7 + n) % 27) + 1) * DAY_MS) / 3_600_000) * 3_600_000 +
          ((n * 13 + i * 29) % 50) * 60_000,
      );
      const minutes = 5 + ((n * 7 + i * 11) % 6) * 5;
      await prisma.pause.create({
        data: {
          workerId,
          kind: i % 2 === 0 ? "NOW" : "SCHEDULED",
          startsAt,
          endsAt: new Date(startsAt.getTime() + minutes * 60_000),
          createdAt: startsAt,
        },
      });
    }
  }
}

/** People who have not yet acknowledged the monitoring notice (so the compliance view has names). */
const NOT_YET_ACKNOWLEDGED = new Set(["mateo.silva@lull.test", "leila.haddad@lull.test"]);

/**
 * The monitoring notice (which agents wait for) and the data-use policy,
 * published by the admin; everyone but a few has acknowledged the notice.
 */
async function seedDocuments(ids: Map<string, string>, now: Date) {
  if ((await prisma.policyDocument.count()) > 0) return;
  const adminId = ids.get("admin@lull.test")!;
  const documents = [
    {
      slug: MONITORING_NOTICE_SLUG,
      title: "Notice of electronic monitoring",
      file: "monitoring-notice.md",
      requiresAcknowledgement: true,
    },
    {
      slug: "data-use-policy",
      title: "How activity data may be used",
      file: "data-use-policy.md",
      requiresAcknowledgement: false,
    },
  ];
  let noticeId = "";
  for (const doc of documents) {
    const body = readFileSync(new URL(`./documents/${doc.file}`, import.meta.url), "utf8");
    const draft = await createDraft(
      {
        slug: doc.slug,
        title: doc.title,
        body,
        summaryOfChanges: null,
        requiresAcknowledgement: doc.requiresAcknowledgement,
      },
      adminId,
      now,
    );
    if (!draft.ok) throw new Error(draft.refusal.message);
    await publishDraft(draft.id, adminId, now);
    if (doc.slug === MONITORING_NOTICE_SLUG) noticeId = draft.id;
  }
  for (const person of DEMO_PEOPLE) {
    if (NOT_YET_ACKNOWLEDGED.has(person.email)) continue;
    await signDocument({
      worker: { id: ids.get(person.email)!, name: person.name, email: person.email },
      documentId: noticeId,
      signedName: person.name,
      ip: null,
      userAgent: "demo seed",
      now,
    });
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

type DemoExemption = {
  email: string;
  reason:
    | "MEDICAL"
    | "LEGAL_OR_HR"
    | "UNION_ACTIVITY"
    | "PERSONAL_DEVICE"
    | "CONFIDENTIAL_WORK"
    | "OTHER";
  justification: string;
  filedDaysAgo: number;
  startInDays: number;
  days: number;
  weekly?: { days: string; start: string; end: string };
  scopeTypes?: string;
  decision?: { status: "APPROVED" | "DENIED"; note: string | null };
};

/** A few requests in every state, so the queue and the timelines have something to show. */
const DEMO_EXEMPTIONS: readonly DemoExemption[] = [
  {
    email: "worker@lull.test",
    reason: "CONFIDENTIAL_WORK",
    justification:
      "I am interviewing colleagues for an HR investigation next week; the notes must not be captured.",
    filedDaysAgo: 1,
    startInDays: 3,
    days: 4,
  },
  {
    email: "worker@lull.test",
    reason: "OTHER",
    justification: "I would like tracking off for the whole month while I settle into the team.",
    filedDaysAgo: 40,
    startInDays: -38,
    days: 30,
    decision: {
      status: "DENIED",
      note: "A month-long opt-out without a specific need is not covered; pauses are there for breaks.",
    },
  },
  {
    email: "daniel.kim@lull.test",
    reason: "MEDICAL",
    justification: "Weekly physiotherapy sessions by video call, which I take from my work laptop.",
    filedDaysAgo: 3,
    startInDays: 2,
    days: 56,
    weekly: { days: "2", start: "09:00", end: "11:00" },
  },
  {
    email: "aisha.rahman@lull.test",
    reason: "UNION_ACTIVITY",
    justification: "Works council preparation meetings ahead of the annual negotiation round.",
    filedDaysAgo: 0,
    startInDays: 7,
    days: 3,
  },
  {
    email: "reviewer@lull.test",
    reason: "LEGAL_OR_HR",
    justification: "Meetings with my own lawyer about a private matter during lunch breaks.",
    filedDaysAgo: 2,
    startInDays: 5,
    days: 14,
    weekly: { days: "1,3", start: "12:00", end: "13:30" },
  },
  {
    email: "lucia.fernandez@lull.test",
    reason: "PERSONAL_DEVICE",
    justification:
      "On Saturdays I use my work laptop for personal banking; keystrokes and clicks should not be captured.",
    filedDaysAgo: 10,
    startInDays: -9,
    days: 80,
    weekly: { days: "6", start: "08:00", end: "20:00" },
    scopeTypes: "keystroke,click",
    decision: { status: "APPROVED", note: "Approved for the personal-device case." },
  },
];

async function seedExemptions(ids: Map<string, string>, now: Date) {
  const reviewerId = ids.get("reviewer@lull.test")!;
  const adminId = ids.get("admin@lull.test")!;
  for (const demo of DEMO_EXEMPTIONS) {
    const workerId = ids.get(demo.email)!;
    if ((await prisma.exemptionRequest.count({ where: { workerId } })) > 0) continue;
    const timeZone = DEMO_PEOPLE.find((p) => p.email === demo.email)!.timezone;
    const createdAt = new Date(now.getTime() - demo.filedDaysAgo * DAY_MS - 3_600_000);
    const startsAt = new Date(
      Math.floor((now.getTime() + demo.startInDays * DAY_MS) / 3_600_000) * 3_600_000,
    );
    const decider = demo.email === "reviewer@lull.test" ? adminId : reviewerId;
    const decidedAt = new Date(createdAt.getTime() + 5 * 3_600_000);
    await prisma.exemptionRequest.create({
      data: {
        workerId,
        reason: demo.reason,
        justification: demo.justification,
        scopeTypes: demo.scopeTypes ?? null,
        startsAt,
        endsAt: new Date(startsAt.getTime() + demo.days * DAY_MS),
        recurrenceDays: demo.weekly?.days ?? null,
        recurrenceStart: demo.weekly?.start ?? null,
        recurrenceEnd: demo.weekly?.end ?? null,
        timeZone,
        createdAt,
        status: demo.decision?.status ?? "PENDING",
        ...(demo.decision
          ? { reviewerId: decider, decisionNote: demo.decision.note, decidedAt }
          : {}),
        history: {
          create: [
            { toStatus: "PENDING", actorId: workerId, at: createdAt },
            ...(demo.decision
              ? [
                  {
                    fromStatus: "PENDING" as const,
                    toStatus: demo.decision.status,
                    actorId: decider,
                    note: demo.decision.note,
                    at: decidedAt,
                  },
                ]
              : []),
          ],
        },
      },
    });
  }
}

async function main() {
  const ifEmpty = process.argv.includes("--if-empty");
  if (ifEmpty && (await prisma.user.count()) > 0) {
    console.log(
      "Database already has users; not seeding (run `npm run seed` to refresh the demo data).",
    );
    return;
  }
  await seed();
  console.log(
    `Seeded ${DEMO_PEOPLE.length} demo accounts. Sign in as worker@lull.test, reviewer@lull.test, rep@lull.test or admin@lull.test with the password ${DEMO_PASSWORD}.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main()
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => prisma.$disconnect());
}
