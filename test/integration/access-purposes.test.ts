/**
 * Issue 21, points 1 and 2 (ADR 0042): every route that reads another
 * person's data refuses without a permitted purpose, refuses a prohibited one
 * (by the form and by a direct request), and records the purpose it was given,
 * which the worker reads in their access log. The console lists no one's own
 * actions by name; the security audit export holds them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { createPause } from "#app/models/pause.server.ts";
import { forgetRecent } from "#app/models/forget.server.ts";
import { proposePurposeVersion } from "#app/models/purpose.server.ts";
import { loader as overviewLoader } from "#app/routes/admin._index.tsx";
import { action as auditAction, loader as auditLoader } from "#app/routes/admin.audit.tsx";
import { action as purposesAction } from "#app/routes/admin.purposes._index.tsx";
import { action as purposeVersionAction } from "#app/routes/admin.purposes.$purposeKey.tsx";
import { loader as noticeLoader } from "#app/routes/acknowledgements.$slug.tsx";
import {
  action as exceptionalAction,
  loader as exceptionalLoader,
} from "#app/routes/admin.users.$userId_.data.tsx";
import { loader as accessLoader } from "#app/routes/data.access.tsx";
import { loader as downloadLoader } from "#app/routes/records.$exportId.download.ts";
import { loader as reviewLoader } from "#app/routes/review.exemptions.$exemptionId.tsx";
import { loader as rightsReviewLoader } from "#app/routes/review.rights.$requestId.tsx";
import { loader as lineageLoader } from "#app/routes/datasets.lineage.tsx";
import {
  action as staffExportAction,
  loader as staffExportLoader,
} from "#app/routes/review.records.tsx";
import { runNextExport } from "#app/jobs/export-runner.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

type Person = { id: string; name: string; cookie: string };

async function person(
  role: "WORKER" | "REVIEWER" | "ADMIN" = "WORKER",
  name = "Test Person",
): Promise<Person> {
  const user = await createUser({ role, name, timezone: "UTC" });
  return { id: user.id, name: user.name, cookie: await sessionCookieFor(user.id) };
}

/** The registry's version in force for a key (the migration's first versions). */
async function purposeId(key: string) {
  const row = await prisma.purpose.findFirstOrThrow({
    where: { key, effectiveAt: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true },
  });
  return row.id;
}

async function accessLog(worker: Person) {
  const res = await callRoute(accessLoader, getRequest("/data/access", { cookie: worker.cookie }));
  return (res.data as { events: { what: string; purpose: string | null; who: string }[] }).events;
}

async function exemptionOf(workerId: string) {
  const now = Date.now();
  const row = await prisma.exemptionRequest.create({
    data: {
      workerId,
      reason: "MEDICAL",
      justification: "Physiotherapy appointments after my knee surgery.",
      startsAt: new Date(now + 86_400_000),
      endsAt: new Date(now + 2 * 86_400_000),
      timeZone: "UTC",
      createdAt: new Date(now - 3_600_000),
      status: "PENDING",
      history: {
        create: { toStatus: "PENDING", actorId: workerId, at: new Date(now - 3_600_000) },
      },
    },
  });
  return row.id;
}

/** Audit rows about `subjectId` written by `actorId` (what an access leaves behind). */
const accessesOf = (subjectId: string, actorId: string) =>
  prisma.auditEvent.findMany({
    where: { subjectUserId: subjectId, actorId },
    select: { action: true, purposeId: true },
  });

/**
 * Each route that reads another person's data, driven three ways: with no
 * purpose, with a prohibited one, with a permitted one. `open` returns the
 * response; `sawData` says whether it carried the worker's data.
 */
type Door = {
  name: string;
  defaultPurpose: string;
  open(staff: Person, worker: Person, purpose: string | null): ReturnType<typeof callRoute>;
  sawData(data: unknown): boolean;
  staffRole: "REVIEWER" | "ADMIN";
};

const doors: Door[] = [
  {
    name: "a reviewer opening an exemption request (GET /review/exemptions/:id?purpose=)",
    defaultPurpose: "exemption-review",
    staffRole: "REVIEWER",
    async open(staff, worker, purpose) {
      const id = await exemptionOf(worker.id);
      const url = `/review/exemptions/${id}${purpose === null ? "" : `?purpose=${purpose}`}`;
      return callRoute(reviewLoader, getRequest(url, { cookie: staff.cookie }), {
        params: { exemptionId: id },
      });
    },
    sawData: (data) => (data as { exemption?: unknown }).exemption !== undefined,
  },
  {
    name: "a staff export of a worker's records (POST /review/records)",
    defaultPurpose: "records-request",
    staffRole: "REVIEWER",
    async open(staff, worker, purpose) {
      const email = (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).email;
      const fields: Record<string, string> = {
        email,
        reason: "Data protection authority case DPA-2026-117.",
      };
      if (purpose !== null) fields.purpose = purpose;
      return callRoute(
        staffExportAction,
        formRequest("/review/records", fields, { cookie: staff.cookie }),
      );
    },
    sawData: () => false,
  },
  {
    name: "an admin's exceptional access (POST /admin/users/:id/data)",
    defaultPurpose: "security-investigation",
    staffRole: "ADMIN",
    async open(staff, worker, purpose) {
      const fields: Record<string, string> = {
        reason: "Incident INC-2231: malware reported on this laptop.",
      };
      if (purpose !== null) fields.purpose = purpose;
      return callRoute(
        exceptionalAction,
        formRequest(`/admin/users/${worker.id}/data`, fields, { cookie: staff.cookie }),
        { params: { userId: worker.id } },
      );
    },
    sawData: () => false,
  },
  {
    name: "a reviewer opening a rights request (GET /review/rights/:id?purpose=)",
    defaultPurpose: "rights-request",
    staffRole: "REVIEWER",
    async open(staff, worker, purpose) {
      const now = Date.now();
      const { id } = await prisma.rightsRequest.create({
        data: {
          workerId: worker.id,
          kind: "OBJECTION",
          purposeKey: "ai-training",
          details: "No training on my data, please.",
          timeZone: "UTC",
          createdAt: new Date(now),
          dueAt: new Date(now + 30 * 86_400_000),
          firstDueAt: new Date(now + 30 * 86_400_000),
        },
      });
      const url = `/review/rights/${id}${purpose === null ? "" : `?purpose=${purpose}`}`;
      return callRoute(rightsReviewLoader, getRequest(url, { cookie: staff.cookie }), {
        params: { requestId: id },
      });
    },
    sawData: (data) => (data as { details?: unknown }).details !== undefined,
  },
  {
    name: "the privacy office looking up a worker's datasets (GET /datasets/lineage?purpose=)",
    defaultPurpose: "rights-request",
    staffRole: "ADMIN",
    async open(staff, worker, purpose) {
      const email = (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).email;
      const query = `email=${encodeURIComponent(email)}${purpose === null ? "" : `&purpose=${purpose}`}`;
      return callRoute(
        lineageLoader,
        getRequest(`/datasets/lineage?${query}`, { cookie: staff.cookie }),
      );
    },
    sawData: (data) => (data as { result?: unknown }).result != null,
  },
];

describe("every route reading another person's data names a permitted purpose", () => {
  for (const door of doors) {
    describe(door.name, () => {
      test("without a purpose: refused, no data, nothing recorded", async () => {
        const staff = await person(door.staffRole, "Sam Staff");
        const worker = await person("WORKER", "Wren Worker");
        const res = await door.open(staff, worker, null);
        expect(res.status === 200 || res.status === 400, `status ${res.status}`).toBe(true);
        expect(door.sawData(res.data)).toBe(false);
        expect(await accessesOf(worker.id, staff.id)).toEqual([]);
        expect(await prisma.recordExport.count({ where: { workerId: worker.id } })).toBe(0);
        expect(await prisma.exceptionalAccess.count({ where: { workerId: worker.id } })).toBe(0);
      });

      for (const prohibited of ["performance-evaluation", "discipline", "no-such-purpose"]) {
        test(`with "${prohibited}": 400, no data, nothing recorded`, async () => {
          const staff = await person(door.staffRole, "Sam Staff");
          const worker = await person("WORKER", "Wren Worker");
          const res = await door.open(staff, worker, prohibited);
          expect(res.status).toBe(400);
          expect(JSON.stringify(res.data)).toMatch(
            prohibited === "no-such-purpose" ? /not a purpose in the registry/ : /prohibited/,
          );
          expect(door.sawData(res.data)).toBe(false);
          expect(await accessesOf(worker.id, staff.id)).toEqual([]);
          expect(await prisma.recordExport.count({ where: { workerId: worker.id } })).toBe(0);
          expect(await prisma.exceptionalAccess.count({ where: { workerId: worker.id } })).toBe(0);
        });
      }

      test("with a permitted purpose: the access is recorded with it, and the worker reads it", async () => {
        const staff = await person(door.staffRole, "Sam Staff");
        const worker = await person("WORKER", "Wren Worker");
        const res = await door.open(staff, worker, door.defaultPurpose);
        expect(res.status, JSON.stringify(res.data)).toBeLessThan(400);
        const id = await purposeId(door.defaultPurpose);
        const recorded = await accessesOf(worker.id, staff.id);
        expect(recorded.length).toBeGreaterThan(0);
        for (const access of recorded) expect(access.purposeId).toBe(id);
        const name = (await prisma.purpose.findUniqueOrThrow({ where: { id } })).name;
        const log = await accessLog(worker);
        expect(log.length).toBeGreaterThan(0);
        for (const entry of log) expect(entry.purpose).toBe(name);
      });
    });
  }

  test("a staff download of an export carries the purpose named when it was asked for", async () => {
    const staff = await person("REVIEWER", "Sam Staff");
    const worker = await person("WORKER", "Wren Worker");
    await doors[1]!.open(staff, worker, "records-request");
    // Earlier tests queued exports too: run them all.
    while (await runNextExport());
    const exp = await prisma.recordExport.findFirstOrThrow({ where: { workerId: worker.id } });
    const res = await callRoute(
      downloadLoader,
      getRequest(`/records/${exp.id}/download`, { cookie: staff.cookie }),
      { params: { exportId: exp.id } },
    );
    expect(res.status).toBe(200);
    const download = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "records.download", subjectUserId: worker.id },
    });
    expect(download.purposeId).toBe(await purposeId("records-request"));
  });

  test("the forms offer the permitted purposes and show the prohibited ones only as ruled out", async () => {
    const staff = await person("REVIEWER");
    const res = await callRoute(
      staffExportLoader,
      getRequest("/review/records", { cookie: staff.cookie }),
    );
    const { purposes } = res.data as {
      purposes: { choosable: { key: string }[]; prohibited: { key: string }[] };
    };
    const choosable = purposes.choosable.map((p) => p.key);
    expect(choosable).toEqual(
      expect.arrayContaining(["exemption-review", "records-request", "ai-training"]),
    );
    expect(choosable).not.toContain("performance-evaluation");
    expect(choosable).not.toContain("discipline");
    expect(purposes.prohibited.map((p) => p.key).sort()).toEqual([
      "discipline",
      "performance-evaluation",
    ]);
  });

  test("a reviewer's own request needs no purpose (it is not someone else's data)", async () => {
    const reviewer = await person("REVIEWER");
    const id = await exemptionOf(reviewer.id);
    const res = await callRoute(
      reviewLoader,
      getRequest(`/review/exemptions/${id}`, { cookie: reviewer.cookie }),
      { params: { exemptionId: id } },
    );
    expect(res.status).toBe(200);
    expect((res.data as { own: boolean }).own).toBe(true);
  });

  test("an exceptional-access grant shows the purpose it was opened for", async () => {
    const admin = await person("ADMIN");
    const worker = await person();
    const res = await doors[2]!.open(admin, worker, "security-investigation");
    const grant = new URL(res.headers.get("Location") ?? "", "http://x").searchParams.get("access");
    const view = await callRoute(
      exceptionalLoader,
      getRequest(`/admin/users/${worker.id}/data?access=${grant}`, { cookie: admin.cookie }),
      { params: { userId: worker.id } },
    );
    expect((view.data as { view: { purpose: string } }).view.purpose).toBe(
      "Investigating a security incident",
    );
  });
});

describe("no route reads someone else's data without asking for a purpose", () => {
  // The model functions that read or hand out another person's data; a route
  // calling one must also resolve a purpose (checked by the behaviour above).
  const READERS = [
    "getExemptionForReview",
    "getRightsRequestForReview",
    "grantExceptionalAccess",
    "exportAuditLog",
    "findPersonByEmail",
  ];
  const routesDir = path.join(import.meta.dirname, "../../app/routes");
  test("every route file that calls one also resolves a named purpose", () => {
    const offenders: string[] = [];
    for (const file of readdirSync(routesDir)) {
      const text = readFileSync(path.join(routesDir, file), "utf8");
      const reads = READERS.filter((r) => new RegExp(`\\b${r}\\(`).test(text));
      const staffExport =
        /\brequestExport\(/.test(text) && /requester: \{ id: staff\.id \}/.test(text);
      if (reads.length === 0 && !staffExport) continue;
      if (!/purposeForAccess|purposeFromUrl|purposeFromForm/.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe("the console lists nobody's own actions by name", () => {
  let admin: Person;
  let worker: Person;
  beforeAll(async () => {
    admin = await person("ADMIN", "Amara Admin");
    worker = await person("WORKER", "Wren Castellanos");
    await createDevice(worker.id);
    const now = new Date();
    const paused = await createPause({
      workerId: worker.id,
      timeZone: "UTC",
      request: { kind: "NOW", durationMinutes: 5 },
      now,
    });
    expect(paused.ok).toBe(true);
    const forgot = await forgetRecent({ workerId: worker.id, timeZone: "UTC", minutes: 5, now });
    expect(forgot.ok).toBe(true);
  });

  test("the audit page shows no pause or forget, and no entry a person made about themself", async () => {
    const selfEntries = await prisma.auditEvent.count({
      where: { actorId: worker.id, subjectUserId: worker.id },
    });
    expect(selfEntries).toBeGreaterThanOrEqual(2);
    const res = await callRoute(auditLoader, getRequest("/admin/audit", { cookie: admin.cookie }));
    const body = res.data as {
      events: { action: string; actor: string; subject: string | null }[];
      selfService: number;
    };
    const text = JSON.stringify(body.events);
    expect(text).not.toContain("Started a pause");
    expect(text).not.toContain("Forgot recent activity");
    expect(body.events.some((e) => e.subject === "Wren Castellanos")).toBe(false);
    expect(body.selfService).toBeGreaterThanOrEqual(selfEntries);
  });

  test("the overview's data holds no individual worker's pauses or forgets", async () => {
    const res = await callRoute(overviewLoader, getRequest("/admin", { cookie: admin.cookie }));
    const text = JSON.stringify(res.data);
    expect(text).not.toContain(worker.id);
    expect(text).not.toContain("Wren Castellanos");
    // One worker's forget is below the threshold: the office sees no number for it.
    const privacy = (res.data as { privacy: { rows: { key: string; total: number | null }[] } })
      .privacy.rows;
    expect(privacy.find((r) => r.key === "forgets")).toMatchObject({ total: null, workers: null });
  });

  test("the worker sees their own actions in Data history", async () => {
    const res = await callRoute(
      accessLoader,
      getRequest("/data/access", { cookie: worker.cookie }),
    );
    const own = (res.data as { own: { events: { what: string }[] } }).own.events.map((e) => e.what);
    expect(own).toEqual(expect.arrayContaining(["Started a pause", "Forgot recent activity"]));
  });

  test("the security audit export holds them, names a purpose, and every worker sees it", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const refused = await callRoute(
      auditAction,
      formRequest(
        "/admin/audit",
        { from: today, to: today, purpose: "discipline" },
        { cookie: admin.cookie },
      ),
    );
    expect(refused.status).toBe(400);
    expect(await prisma.auditEvent.count({ where: { action: "audit.export" } })).toBe(0);

    const response = await callRoute(
      auditAction,
      formRequest(
        "/admin/audit",
        { from: today, to: today, purpose: "security-investigation" },
        { cookie: admin.cookie },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/csv/);
    const csv = response.data as string;
    expect(csv.split("\r\n")[0]).toBe(
      "at,action,actor_email,actor_name,subject_email,subject_name,target_type,target_id,purpose,metadata",
    );
    expect(csv).toContain("pause.start");
    expect(csv).toContain("data.forget");
    expect(csv).toContain("Wren Castellanos");
    const exported = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "audit.export" },
    });
    expect(exported.purposeId).toBe(await purposeId("security-investigation"));
    const log = await accessLog(worker);
    expect(log[0]).toMatchObject({
      who: "Amara Admin (Admin)",
      purpose: "Investigating a security incident",
    });
    expect(log[0]!.what).toMatch(/^Exported the audit log from .* which holds your own actions/);
  });
});

describe("the purpose registry", () => {
  test("the migration's first versions are in force, two of them prohibited", async () => {
    const keys = (await prisma.purpose.findMany({ select: { key: true, prohibited: true } }))
      .filter((p) => p.key !== "quality-review")
      .map((p) => `${p.key}${p.prohibited ? " (prohibited)" : ""}`)
      .sort();
    expect(keys).toEqual(
      expect.arrayContaining([
        "ai-training",
        "discipline (prohibited)",
        "exemption-review",
        "performance-evaluation (prohibited)",
        "records-request",
        "rights-request",
        "security-investigation",
      ]),
    );
  });

  test("the privacy office adds a purpose and versions it; bad input is refused and writes nothing", async () => {
    const admin = await person("ADMIN");
    const before = await prisma.purpose.count();
    const bad = await callRoute(
      purposesAction,
      formRequest(
        "/admin/purposes",
        { key: "Not A Key!", name: "x", description: "short", legalBasis: "", retentionDays: "-1" },
        { cookie: admin.cookie },
      ),
    );
    expect(bad.status).toBe(400);
    expect(await prisma.purpose.count()).toBe(before);
    const added = await callRoute(
      purposesAction,
      formRequest(
        "/admin/purposes",
        {
          key: "quality-review",
          name: "Reviewing the quality of the training data",
          description: "Data stewards check samples of a dataset for mislabelled events.",
          legalBasis: "Legitimate interests (GDPR Art. 6(1)(f))",
          retentionDays: "90",
        },
        { cookie: admin.cookie },
      ),
    );
    expect(added.status).toBe(302);
    const versioned = await callRoute(
      purposeVersionAction,
      formRequest(
        "/admin/purposes/quality-review",
        {
          name: "Reviewing the quality of training data",
          description: "Data stewards check samples of a dataset for mislabelled events.",
          legalBasis: "Legitimate interests (GDPR Art. 6(1)(f))",
          retentionDays: "60",
          prohibited: "on",
        },
        { cookie: admin.cookie },
      ),
      { params: { purposeKey: "quality-review" } },
    );
    expect(versioned.status).toBe(302);
    const versions = await prisma.purpose.findMany({
      where: { key: "quality-review" },
      orderBy: { version: "asc" },
    });
    expect(versions.map((v) => [v.version, v.prohibited, v.effectiveAt !== null])).toEqual([
      [1, false, true],
      [2, true, true],
    ]);
    // Now prohibited: it cannot be named.
    const worker = await person();
    const staff = await person("REVIEWER");
    const res = await doors[1]!.open(staff, worker, "quality-review");
    expect(res.status).toBe(400);
  });

  test("with representative approval required, a widening version waits and is not offered", async () => {
    const admin = await person("ADMIN");
    await prisma.policy.update({ where: { id: 1 }, data: { requireRepresentativeApproval: true } });
    try {
      const now = new Date();
      const result = await proposePurposeVersion({
        actorId: admin.id,
        key: "wellbeing-research",
        isNew: true,
        settings: {
          name: "Wellbeing research",
          description: "Aggregate research on breaks and workload.",
          legalBasis: "Consent (GDPR Art. 6(1)(a))",
          retentionDays: 30,
          prohibited: false,
          retired: false,
        },
        now,
      });
      expect(result).toMatchObject({ ok: true, waits: true });
      const staff = await person("REVIEWER");
      const worker = await person();
      expect((await doors[1]!.open(staff, worker, "wellbeing-research")).status).toBe(400);
      // A narrowing change (prohibiting) never waits.
      const narrowing = await proposePurposeVersion({
        actorId: admin.id,
        key: "records-request",
        isNew: false,
        settings: {
          name: "Answering a records request",
          description:
            "Staff export a worker's records when the worker, or the law, asks for them.",
          legalBasis: "Legal obligation (GDPR Art. 15 and 20)",
          retentionDays: 14,
          prohibited: false,
          retired: false,
        },
        now,
      });
      expect(narrowing).toMatchObject({ ok: true, waits: false });
    } finally {
      await prisma.policy.update({
        where: { id: 1 },
        data: { requireRepresentativeApproval: false },
      });
    }
  });

  test("two saves of one purpose at once: one lands, the other is told why (never a 500)", async () => {
    const admin = await person("ADMIN");
    const now = new Date();
    const settings = {
      name: "Ergonomics research",
      description: "Aggregate research on input-device strain.",
      legalBasis: "Legitimate interests (GDPR Art. 6(1)(f))",
      retentionDays: 30,
      prohibited: false,
      retired: false,
    };
    const key = `ergonomics-${Date.now()}`;
    const created = await Promise.all(
      [0, 1].map(() =>
        proposePurposeVersion({ actorId: admin.id, key, isNew: true, settings, now }),
      ),
    );
    expect(created.filter((r) => r.ok)).toHaveLength(1);
    expect(created.find((r) => !r.ok)).toMatchObject({ ok: false, refusal: { code: "conflict" } });
    const versioned = await Promise.all(
      [40, 50].map((retentionDays) =>
        proposePurposeVersion({
          actorId: admin.id,
          key,
          isNew: false,
          settings: { ...settings, retentionDays },
          now,
        }),
      ),
    );
    expect(versioned.some((r) => r.ok)).toBe(true);
    for (const r of versioned) if (!r.ok) expect(r.refusal.code).toBe("conflict");
    const rows = await prisma.purpose.findMany({ where: { key }, select: { version: true } });
    expect(rows.map((r) => r.version).sort()).toEqual(
      [1, 2, 3].slice(0, 1 + versioned.filter((r) => r.ok).length),
    );
  });

  test("the monitoring notice lists the purposes in force, the prohibited ones as never used", async () => {
    const worker = await person();
    const admin = await prisma.user.create({
      data: { email: `pub-${Date.now()}@example.test`, name: "Publisher", role: "ADMIN" },
    });
    const existing = await prisma.policyDocument.findFirst({
      where: { slug: "monitoring-notice", publishedAt: { not: null } },
    });
    if (!existing) {
      await prisma.policyDocument.create({
        data: {
          slug: "monitoring-notice",
          version: 1,
          title: "Monitoring notice",
          body: "We record keystroke and click counts.",
          contentSha256: "0".repeat(64),
          publishedAt: new Date(),
          publishedById: admin.id,
        },
      });
    }
    const res = await callRoute(
      noticeLoader,
      getRequest("/acknowledgements/monitoring-notice", { cookie: worker.cookie }),
      { params: { slug: "monitoring-notice" } },
    );
    const purposes = (
      res.data as {
        purposes: { permitted: { key: string }[]; prohibited: { key: string }[] };
      }
    ).purposes;
    expect(purposes.permitted.map((p) => p.key)).toContain("ai-training");
    expect(purposes.prohibited.map((p) => p.key)).toEqual(
      expect.arrayContaining(["performance-evaluation", "discipline"]),
    );
  });
});
