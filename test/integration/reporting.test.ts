import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MONITORING_NOTICE_SLUG } from "#app/domain/acknowledgement-rules.ts";
import type { ExemptionReason, ExemptionStatus } from "#app/domain/exemption.ts";
import { localDateKey } from "#app/domain/local-time.ts";
import { effectiveInterval } from "#app/domain/pause-policy.ts";
import { median } from "#app/domain/reporting.ts";
import { getPauseReport } from "#app/models/reporting.server.ts";
import { loader } from "#app/routes/admin._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Report = Awaited<ReturnType<typeof loader>>;

let adminCookie: string | undefined;
async function report(): Promise<Report> {
  if (!adminCookie) {
    const admin = await createUser({ role: "ADMIN", name: `Admin ${randomUUID().slice(0, 6)}` });
    adminCookie = await sessionCookieFor(admin.id);
  }
  const res = await callRoute(loader, getRequest("/admin", { cookie: adminCookie }));
  expect(res.status).toBe(200);
  return res.data as Report;
}

/** A person with a name and email found nowhere else on the page. */
async function person(managerId: string | null = null) {
  const tag = randomUUID().slice(0, 8);
  const user = await createUser({ name: `Zed Q${tag}`, email: `zq-${tag}@example.test` });
  if (managerId) await prisma.user.update({ where: { id: user.id }, data: { managerId } });
  return user;
}

async function team(size: number) {
  const manager = await person();
  const reports = [];
  for (let i = 0; i < size; i++) reports.push(await person(manager.id));
  return { manager, reports };
}

function pause(
  workerId: string,
  startsAt: Date,
  minutes: number,
  extra: { endedEarlyAt?: Date; cancelledAt?: Date } = {},
) {
  return prisma.pause.create({
    data: {
      workerId,
      kind: "SCHEDULED",
      startsAt,
      endsAt: new Date(startsAt.getTime() + minutes * MINUTE),
      ...extra,
    },
  });
}

/**
 * A request filed at `createdAt`; `decisionAfter` adds the reviewer's
 * decision (with its history, as the app writes it) that long after filing.
 */
function exemption(
  workerId: string,
  reason: ExemptionReason,
  {
    createdAt = new Date(),
    endsAt = new Date(Date.now() + 10 * DAY),
    status = "PENDING",
    decisionAfter,
    revokedAt,
  }: {
    createdAt?: Date;
    endsAt?: Date;
    status?: ExemptionStatus;
    decisionAfter?: number;
    revokedAt?: Date;
  } = {},
) {
  const decidedAt =
    decisionAfter === undefined ? null : new Date(createdAt.getTime() + decisionAfter);
  const history: { fromStatus: ExemptionStatus | null; toStatus: ExemptionStatus; at: Date }[] = [
    { fromStatus: null, toStatus: "PENDING", at: createdAt },
  ];
  if (decidedAt) {
    history.push({
      fromStatus: "PENDING",
      toStatus: status === "DENIED" ? "DENIED" : "APPROVED",
      at: decidedAt,
    });
  }
  if (revokedAt) history.push({ fromStatus: "APPROVED", toStatus: "REVOKED", at: revokedAt });
  return prisma.exemptionRequest.create({
    data: {
      workerId,
      reason,
      justification: "A justification long enough for the rules.",
      startsAt: createdAt,
      endsAt,
      timeZone: "Europe/Berlin",
      status: revokedAt ? "REVOKED" : status,
      createdAt,
      // A revocation rewrites decidedAt, as the app does.
      decidedAt: revokedAt ?? decidedAt,
      endedEarlyAt: revokedAt ?? null,
      history: { create: history },
    },
  });
}

let documentCount = 0;
function publishedDocument(slug: string, version: number, requiresAcknowledgement = true) {
  documentCount++;
  return prisma.policyDocument.create({
    data: {
      slug,
      version,
      title: `Document ${documentCount}`,
      body: "The text of the document.",
      contentSha256: "0".repeat(64),
      requiresAcknowledgement,
      publishedAt: new Date(Date.now() - DAY),
    },
  });
}

function acknowledge(workerId: string, documentId: string) {
  return prisma.acknowledgement.create({
    data: {
      workerId,
      documentId,
      contentSha256: "0".repeat(64),
      signedName: "Signed",
      signedAt: new Date(),
      receipt: "{}",
    },
  });
}

describe("who may see the overview", () => {
  test("the loader answers 403 to workers and reviewers", async () => {
    for (const role of ["WORKER", "REVIEWER"] as const) {
      const user = await createUser({ role });
      const res = await callRoute(
        loader,
        getRequest("/admin", { cookie: await sessionCookieFor(user.id) }),
      );
      expect(res.status, role).toBe(403);
      expect(res.thrown).toBe(true);
    }
    await report(); // and 200 to an admin
  });
});

describe("teams", () => {
  test("a breakdown with a group of 4 workers hides it: a manager with 4 reports is hidden, one with 5 is shown", async () => {
    const notice = await publishedDocument(MONITORING_NOTICE_SLUG, 1);
    const four = await team(4);
    const five = await team(5);
    // A deactivated report is not in the team.
    const gone = await person(five.manager.id);
    await prisma.user.update({ where: { id: gone.id }, data: { deactivatedAt: new Date() } });

    // The team of five: 3 signed; 7 pauses in the window (plus one cancelled, one too old);
    // 2 requests in the last 90 days (plus one older).
    for (const r of five.reports.slice(0, 3)) await acknowledge(r.id, notice.id);
    for (let i = 0; i < 7; i++) {
      await pause(five.reports[i % 5]!.id, new Date(Date.now() - (i + 1) * DAY), 10);
    }
    await pause(five.reports[0]!.id, new Date(Date.now() - 2 * HOUR), 10, {
      cancelledAt: new Date(Date.now() - 3 * HOUR),
    });
    await pause(five.reports[1]!.id, new Date(Date.now() - 45 * DAY), 10);
    await exemption(five.reports[0]!.id, "CONFIDENTIAL_WORK");
    await exemption(five.reports[1]!.id, "CONFIDENTIAL_WORK", {
      createdAt: new Date(Date.now() - 30 * DAY),
    });
    await exemption(five.reports[2]!.id, "CONFIDENTIAL_WORK", {
      createdAt: new Date(Date.now() - 100 * DAY),
      endsAt: new Date(Date.now() - 95 * DAY),
    });
    // The team of four has numbers of its own, which must not reach the page.
    for (const r of four.reports) {
      await acknowledge(r.id, notice.id);
      await pause(r.id, new Date(Date.now() - DAY), 10);
      await pause(r.id, new Date(Date.now() - 2 * DAY), 10);
      await pause(r.id, new Date(Date.now() - 3 * DAY), 10);
    }

    const data = await report();
    const shown = data.teams.rows.find((t) => t.key === five.manager.id);
    expect(shown).toEqual({
      key: five.manager.id,
      manager: five.manager.name,
      workers: 5,
      signed: 3,
      signedPercent: 60,
      pausesPerWorker: 1.4,
      exemptions: 2,
    });
    expect(data.teams.noticeVersion).toBe(1);

    expect(data.teams.rows.every((t) => t.workers >= 5)).toBe(true);
    expect(data.teams.hiddenCount).toBeGreaterThanOrEqual(1);
    expect(data.teams.hiddenNote).toMatch(/fewer than 5 workers (is|are) not shown/);
    const json = JSON.stringify(data);
    expect(json).not.toContain(four.manager.id);
    expect(json).not.toContain(four.manager.name);
  });

  test("people without a manager form a group of their own, hidden under 5 like any other", async () => {
    const before = await report();
    // Everyone created so far without a manager (the admin, managers, reviewers…) is in it.
    const withoutManager = await prisma.user.count({
      where: { managerId: null, deactivatedAt: null },
    });
    const row = before.teams.rows.find((t) => t.key === "none");
    // (At 5 or more it may still be hidden with a smaller group: complementary suppression.)
    if (withoutManager < 5) expect(row).toBeUndefined();
    else if (row) expect(row.workers).toBe(withoutManager);
    expect(row?.manager ?? null).toBeNull();
  });
});

describe("exemption requests", () => {
  test("a reason with requests from 4 workers is hidden; one from 5 is shown, with statuses as in force now", async () => {
    const union = [await person(), await person(), await person(), await person()];
    for (const w of union) await exemption(w.id, "UNION_ACTIVITY");
    await exemption(union[0]!.id, "UNION_ACTIVITY"); // 5 requests, still 4 workers
    // A second small reason, so the hidden ones are behind 5+ workers together (else MEDICAL
    // would be hidden with them: complementary suppression). One of its two is also in UNION.
    const other = await person();
    await exemption(other.id, "OTHER");
    await exemption(union[1]!.id, "OTHER");
    const medical = [
      await person(),
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    for (const w of medical) await exemption(w.id, "MEDICAL");
    // Pending, but its end has passed: expired.
    await exemption(medical[0]!.id, "MEDICAL", {
      createdAt: new Date(Date.now() - 20 * DAY),
      endsAt: new Date(Date.now() - DAY),
    });

    const data = await report();
    expect(data.exemptions.reasons.map((r) => r.reason)).not.toContain("UNION_ACTIVITY");
    expect(data.exemptions.hiddenCount).toBeGreaterThanOrEqual(1);
    expect(data.exemptions.hiddenNote).toMatch(/fewer than 5 workers (is|are) not shown/);
    const row = data.exemptions.reasons.find((r) => r.reason === "MEDICAL");
    expect(row).toMatchObject({ label: "Medical", workers: 5, total: 6 });
    expect(row?.counts).toEqual({
      PENDING: 5,
      APPROVED: 0,
      DENIED: 0,
      WITHDRAWN: 0,
      EXPIRED: 1,
      REVOKED: 0,
    });
    // The organisation-wide row still counts every request, hidden reasons included.
    expect(data.exemptions.all?.total).toBe(await prisma.exemptionRequest.count());
    expect(JSON.stringify(data)).not.toContain("Union activity");
    // Nobody's id reaches the page, not even for counting.
    for (const w of [...union, ...medical]) expect(JSON.stringify(data)).not.toContain(w.id);
  });

  test("median time to decision runs from filing to approval or denial, not to a later revocation", async () => {
    const workers = [
      await person(),
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    const filed = new Date(Date.now() - 20 * DAY);
    await exemption(workers[0]!.id, "LEGAL_OR_HR", {
      createdAt: filed,
      status: "APPROVED",
      decisionAfter: 1 * HOUR,
    });
    await exemption(workers[1]!.id, "LEGAL_OR_HR", {
      createdAt: filed,
      status: "DENIED",
      decisionAfter: 2 * HOUR,
    });
    await exemption(workers[2]!.id, "LEGAL_OR_HR", {
      createdAt: filed,
      status: "APPROVED",
      decisionAfter: 4 * HOUR,
    });
    // Approved after 3 hours, revoked five days later (which rewrites decidedAt).
    await exemption(workers[3]!.id, "LEGAL_OR_HR", {
      createdAt: filed,
      decisionAfter: 3 * HOUR,
      revokedAt: new Date(filed.getTime() + 5 * DAY),
    });
    await exemption(workers[4]!.id, "LEGAL_OR_HR"); // undecided

    const data = await report();
    const row = data.exemptions.reasons.find((r) => r.reason === "LEGAL_OR_HR");
    expect(row).toMatchObject({ workers: 5, total: 5, decided: 4 });
    expect(row?.counts).toMatchObject({ APPROVED: 2, DENIED: 1, REVOKED: 1, PENDING: 1 });
    // 1, 2, 3 and 4 hours: the median is 2.5 hours.
    expect(row?.medianDecisionMs).toBe(2.5 * HOUR);
    expect(row?.medianDecision).toBe("2 h 30 min");
  });
});

describe("pauses", () => {
  test("pauses per day count those started each local day, and the median length runs to the early end; cancelled ones count in neither", async () => {
    await prisma.pause.deleteMany(); // this test owns the organisation's pauses
    const workers = await Promise.all([person(), person(), person(), person(), person()]);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    const fiveDaysAgo = new Date(Date.now() - 5 * DAY);
    // 30 minutes planned, ended after 20.
    const b = new Date(twoDaysAgo.getTime() + HOUR);
    for (const worker of workers) {
      await pause(worker.id, twoDaysAgo, 10);
      await pause(worker.id, b, 30, { endedEarlyAt: new Date(b.getTime() + 20 * MINUTE) });
    }
    const worker = workers[0]!;
    // One person alone on this day: hidden (ADR 0042).
    await pause(worker.id, fiveDaysAgo, 30);
    // Not counted: cancelled, too old, not started yet.
    await pause(worker.id, new Date(twoDaysAgo.getTime() + 3 * HOUR), 5, {
      cancelledAt: new Date(twoDaysAgo.getTime() - HOUR),
    });
    await pause(worker.id, new Date(Date.now() - 40 * DAY), 30);
    await pause(worker.id, new Date(Date.now() + HOUR), 25);

    const data = await report();
    const zone = "Europe/Berlin"; // the admin's (createUser's default)
    expect(data.timeZone).toBe(zone);
    expect(data.pauses.days).toHaveLength(30);
    expect(data.pauses.days.at(-1)!.key).toBe(localDateKey(new Date(), zone));
    const expected = new Map<string, number | null>();
    for (const t of [twoDaysAgo, b]) {
      const key = localDateKey(t, zone);
      expected.set(key, (expected.get(key) ?? 0) + 5);
    }
    expected.set(localDateKey(fiveDaysAgo, zone), null);
    for (const day of data.pauses.days) {
      expect(day.count, day.key).toBe(expected.has(day.key) ? expected.get(day.key) : 0);
    }
    // The days shown only: the lone day's pause is in no total, and the number measured
    // (which would give it back) is not shown.
    expect(data.pauses.total).toBe(10);
    expect(data.pauses.hiddenDays).toBe(1);
    expect(data.pauses.measured).toBeNull();
    // Five of 10 minutes, five of 20 and one of 30.
    expect(data.pauses.medianLength).toBe("20 min");
  });

  test("with fewer than five people pausing in the window, no pause figure is shown", async () => {
    await prisma.pause.deleteMany();
    const worker = await person();
    await pause(worker.id, new Date(Date.now() - 2 * DAY), 10);
    const data = await report();
    expect(data.pauses.total).toBeNull();
    expect(data.pauses.medianLength).toBeNull();
    expect(data.pauses.days.every((d) => d.count === null)).toBe(true);
  });
});

describe("acknowledgements", () => {
  test("completion per version counts only active people, and only versions that ask to be signed", async () => {
    const slug = `handbook-${randomUUID().slice(0, 6)}`;
    const v1 = await publishedDocument(slug, 1);
    const v2 = await publishedDocument(slug, 2);
    const info = await publishedDocument(`info-${randomUUID().slice(0, 6)}`, 1, false);
    const signers = [await person(), await person(), await person()];
    const leaver = await person();
    for (const s of [...signers.slice(0, 2), leaver]) await acknowledge(s.id, v1.id);
    await acknowledge(signers[2]!.id, v2.id);
    await acknowledge(signers[0]!.id, info.id);
    await prisma.user.update({ where: { id: leaver.id }, data: { deactivatedAt: new Date() } });

    const data = await report();
    const active = await prisma.user.count({ where: { deactivatedAt: null } });
    expect(data.acknowledgements.activePeople).toBe(active);
    expect(active).toBeLessThan(await prisma.user.count());
    const first = data.acknowledgements.versions.find((v) => v.id === v1.id);
    const second = data.acknowledgements.versions.find((v) => v.id === v2.id);
    expect(first).toMatchObject({
      version: 1,
      current: false,
      signed: 2,
      percent: Math.round((2 / active) * 100),
    });
    expect(second).toMatchObject({ version: 2, current: true, signed: 1 });
    expect(data.acknowledgements.versions.find((v) => v.id === info.id)).toBeUndefined();
  });
});

describe("nothing personal", () => {
  test("the loader data contains no worker names or emails", async () => {
    // Everyone from the tests above is in the database: teams, requests, pauses, signatures.
    const json = JSON.stringify(await report());
    const data = JSON.parse(json) as Report;
    const shownManagers = new Set(data.teams.rows.map((t) => t.key));
    const people = await prisma.user.findMany({ select: { id: true, name: true, email: true } });
    expect(people.length).toBeGreaterThan(30);
    for (const p of people) {
      expect(json).not.toContain(p.email);
      // A shown team is labelled with its manager's name; nobody else is named.
      if (!shownManagers.has(p.id)) expect(json, p.name).not.toContain(p.name);
    }
  });
});

describe("the pause figures, aggregated by SQLite", () => {
  test("property: equal counting every pause with effectiveInterval in JavaScript", async () => {
    const worker = await createUser();
    const now = new Date();
    const pauseSpec = fc.record({
      startAgo: fc.integer({ min: -2 * HOUR, max: 32 * DAY }),
      minutes: fc.integer({ min: 1, max: 30 }),
      endedEarlyAfter: fc.option(fc.integer({ min: -5 * MINUTE, max: 40 * MINUTE }), {
        nil: null,
      }),
      cancelled: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(pauseSpec, { maxLength: 12 }), async (specs) => {
        await prisma.pause.deleteMany({ where: { workerId: worker.id } });
        for (const s of specs) {
          const startsAt = new Date(now.getTime() - s.startAgo);
          const { id } = await prisma.pause.create({
            data: {
              workerId: worker.id,
              kind: "NOW",
              startsAt,
              endsAt: new Date(startsAt.getTime() + s.minutes * MINUTE),
              cancelledAt: s.cancelled ? startsAt : null,
            },
          });
          // Ended early later, as the app does (the length is kept by triggers on both writes).
          if (s.endedEarlyAfter !== null) {
            await prisma.pause.update({
              where: { id },
              data: { endedEarlyAt: new Date(startsAt.getTime() + s.endedEarlyAfter) },
            });
          }
        }
        const { days, total, measured, medianLengthMs } = await getPauseReport(now, "UTC");
        const since = days[0]!.start;
        const all = await prisma.pause.findMany({
          where: { startsAt: { gte: since, lte: now }, cancelledAt: null },
        });
        expect(total).toBe(all.length);
        const lengths = all
          .map(effectiveInterval)
          .filter((i) => i !== null)
          .map((i) => Math.round((i.end.getTime() - i.start.getTime()) / 1000) * 1000);
        expect(measured).toBe(lengths.length);
        expect(medianLengthMs).toBe(median(lengths));
        for (const day of days) {
          const next = days[days.indexOf(day) + 1]?.start ?? new Date(now.getTime() + 1);
          expect(day.count).toBe(
            all.filter((p) => p.startsAt >= day.start && p.startsAt < next).length,
          );
        }
      }),
      { numRuns: 25 },
    );
  });
});
