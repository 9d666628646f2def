import { describe, expect, test } from "vitest";
import { action as policyAction, loader as policyLoader } from "#app/routes/admin.policy.tsx";
import { action as pausesAction, loader as pausesLoader } from "#app/routes/pauses.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, formRequest, getRequest } from "#test/route-harness.ts";

const DEFAULTS = {
  maxPauseMinutes: "30",
  minGapMinutes: "15",
  maxPauseMinutesPerDay: "",
  scheduleAheadDays: "14",
  retentionDays: "90",
  maxExemptionDays: "90",
  maxForgetMinutes: "30",
  maxForgetsPerDay: "3",
  requireAcknowledgementBeforeCollection: "on",
};

async function admin() {
  const user = await createUser({ role: "ADMIN" });
  return { user, cookie: await sessionCookieFor(user.id) };
}

function errorsOf(data: unknown) {
  return (data as { error?: Record<string, string[]> }).error ?? {};
}

describe("the policy page", () => {
  test("starts from the defaults: 30 minutes, 15 minutes apart, no daily cap, 14 days ahead", async () => {
    const { cookie } = await admin();
    const res = await callRoute(policyLoader, getRequest("/admin/policy", { cookie }));
    expect((res.data as { policy: unknown }).policy).toEqual({
      maxPauseMinutes: 30,
      minGapMinutes: 15,
      maxPauseMinutesPerDay: null,
      scheduleAheadDays: 14,
      retentionDays: 90,
      maxExemptionDays: 90,
      maxForgetMinutes: 30,
      maxForgetsPerDay: 3,
      requireAcknowledgementBeforeCollection: true,
      requireRepresentativeApproval: false,
    });
  });

  test("saving writes one audit event per changed field", async () => {
    const { user, cookie } = await admin();
    const res = await callRoute(
      policyAction,
      formRequest(
        "/admin/policy",
        { ...DEFAULTS, maxPauseMinutes: "20", maxPauseMinutesPerDay: "60" },
        { cookie },
      ),
    );
    expect(res.status).toBe(302);
    const events = await prisma.auditEvent.findMany({
      where: { action: "policy.update" },
      orderBy: { targetId: "asc" },
    });
    expect(events.map((e) => [e.actorId, e.targetId, JSON.parse(e.metadata)])).toEqual([
      [user.id, "maxPauseMinutes", { field: "maxPauseMinutes", from: 30, to: 20 }],
      [user.id, "maxPauseMinutesPerDay", { field: "maxPauseMinutesPerDay", from: null, to: 60 }],
    ]);
    // Saving again without changes records nothing more.
    await callRoute(
      policyAction,
      formRequest(
        "/admin/policy",
        { ...DEFAULTS, maxPauseMinutes: "20", maxPauseMinutesPerDay: "60" },
        { cookie },
      ),
    );
    expect(await prisma.auditEvent.count({ where: { action: "policy.update" } })).toBe(2);
    await callRoute(policyAction, formRequest("/admin/policy", DEFAULTS, { cookie }));
  });

  test("the page lists every change: who, when, which setting, old and new", async () => {
    const { user, cookie } = await admin();
    const before = await callRoute(policyLoader, getRequest("/admin/policy", { cookie }));
    const baseline = (before.data as { total: number }).total;
    const savedFrom = Date.now();
    await callRoute(
      policyAction,
      formRequest(
        "/admin/policy",
        { ...DEFAULTS, minGapMinutes: "20", requireAcknowledgementBeforeCollection: "" },
        { cookie },
      ),
    );
    const savedBy = Date.now();
    const res = await callRoute(policyLoader, getRequest("/admin/policy", { cookie }));
    const data = res.data as {
      total: number;
      history: { who: string; field: string; from: string; to: string; atIso: string }[];
    };
    expect(data.total).toBe(baseline + 2);
    expect(
      data.history
        .slice(0, 2)
        .map((h) => [h.who, h.field, h.from, h.to])
        .sort(),
    ).toEqual([
      [user.name, "Hold collection until the notice is acknowledged", "On", "Off"],
      [user.name, "Minimum gap between pauses", "15 min", "20 min"],
    ]);
    // Ordering, not an age limit: the change is dated while the save ran.
    const at = Date.parse(data.history[0]!.atIso);
    expect(at).toBeGreaterThanOrEqual(savedFrom);
    expect(at).toBeLessThanOrEqual(savedBy);
    await callRoute(policyAction, formRequest("/admin/policy", DEFAULTS, { cookie }));
    const after = await callRoute(policyLoader, getRequest("/admin/policy", { cookie }));
    const newest = (after.data as typeof data).history.slice(0, 2);
    expect(newest.map((h) => [h.from, h.to]).sort()).toEqual([
      ["20 min", "15 min"],
      ["Off", "On"],
    ]);
  });

  test.each([
    ["maxPauseMinutes", "31", "The longest pause must be at most 30 minutes."],
    ["maxPauseMinutes", "4", "The longest pause must be at least 5 minutes."],
    ["minGapMinutes", "0", "The gap between pauses must be at least 5 minutes."],
    [
      "maxPauseMinutesPerDay",
      "20",
      "The daily pause limit must be at least the longest pause, or empty for no limit.",
    ],
    ["scheduleAheadDays", "1.5", "The scheduling horizon must be a whole number of days."],
    ["scheduleAheadDays", "", "Enter the scheduling horizon."],
    ["retentionDays", "6", "The retention period must be at least 7 days."],
    ["retentionDays", "731", "The retention period must be at most 730 days."],
    ["maxExemptionDays", "0", "The longest exemption must be at least 1 days."],
    ["maxExemptionDays", "366", "The longest exemption must be at most 365 days."],
    ["maxForgetMinutes", "4", "The longest span to forget must be at least 5 minutes."],
    ["maxForgetMinutes", "61", "The longest span to forget must be at most 60 minutes."],
    ["maxForgetsPerDay", "21", "The forgets per day must be at most 20 forgets."],
  ])(
    "%s = %j is refused with its own message and nothing changes",
    async (field, value, message) => {
      const { cookie } = await admin();
      const before = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
      const res = await callRoute(
        policyAction,
        formRequest("/admin/policy", { ...DEFAULTS, [field]: value }, { cookie }),
      );
      expect(res.status).toBe(400);
      expect(errorsOf(res.data)[field]).toEqual([message]);
      expect(await prisma.policy.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);
    },
  );

  test("only admins can read or change it", async () => {
    for (const role of ["WORKER", "REVIEWER"] as const) {
      const user = await createUser({ role });
      const cookie = await sessionCookieFor(user.id);
      expect((await callRoute(policyLoader, getRequest("/admin/policy", { cookie }))).status).toBe(
        403,
      );
      const res = await callRoute(
        policyAction,
        formRequest("/admin/policy", { ...DEFAULTS, maxPauseMinutes: "5" }, { cookie }),
      );
      expect(res.status).toBe(403);
    }
    expect((await prisma.policy.findUniqueOrThrow({ where: { id: 1 } })).maxPauseMinutes).toBe(30);
  });

  test("lowering the maximum changes the worker's picker but never rewrites stored pauses", async () => {
    const { cookie: adminCookie } = await admin();
    const worker = await createUser();
    const workerCookie = await sessionCookieFor(worker.id);
    await callRoute(
      pausesAction,
      formRequest("/pauses", { intent: "start", durationMinutes: "30" }, { cookie: workerCookie }),
    );
    const stored = await prisma.pause.findFirstOrThrow({ where: { workerId: worker.id } });

    await callRoute(
      policyAction,
      formRequest("/admin/policy", { ...DEFAULTS, maxPauseMinutes: "20" }, { cookie: adminCookie }),
    );
    try {
      expect(await prisma.pause.findUniqueOrThrow({ where: { id: stored.id } })).toEqual(stored);
      const page = await callRoute(pausesLoader, getRequest("/pauses", { cookie: workerCookie }));
      const overview = (
        page.data as {
          overview: { durationChoices: number[]; policy: { maxPauseMinutes: number } };
        }
      ).overview;
      expect(overview.policy.maxPauseMinutes).toBe(20);
      expect(overview.durationChoices).toEqual([5, 10, 15, 20]);
    } finally {
      await callRoute(
        policyAction,
        formRequest("/admin/policy", DEFAULTS, { cookie: adminCookie }),
      );
    }
  });
});
