/**
 * Commands and their after-commit effects (ADR 0013): a crash between commit
 * and delivery loses nothing and delivers nothing twice; a refusal changes
 * nothing; effects are delivered in commit order.
 */
import { spawn } from "node:child_process";
import { describe, expect, test, vi } from "vitest";
import { runCommand } from "#app/commands/command.server.ts";
import {
  deliverOutbox,
  MAX_ATTEMPTS,
  outboxStore,
  startOutboxDispatcher,
  stopOutboxDispatcher,
} from "#app/commands/outbox-dispatcher.server.ts";
import { fileExemptionRequest } from "#app/models/exemption.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import {
  sendChangesTo,
  subscribeToStateChanges,
  type StateChange,
} from "#app/utils/state-bus.server.ts";
import { createUser } from "#test/fixtures.ts";

const DAY = 24 * 60 * 60 * 1000;

/** Calls `listener` on every push for `workerId` (or everyone), as an agent's stream hears it. */
function subscribeToWorker(workerId: string, listener: () => void) {
  return subscribeToStateChanges((change) => {
    if ("everyone" in change || change.workerId === workerId) listener();
  });
}

async function pendingExemption() {
  const worker = await createUser({ email: `w-${Date.now()}@example.test` });
  const reviewer = await createUser({ role: "REVIEWER" });
  const now = new Date();
  const filed = await fileExemptionRequest({
    workerId: worker.id,
    input: {
      reason: "MEDICAL",
      justification: "Physiotherapy appointments every week this month.",
      startsAt: new Date(now.getTime() + DAY),
      endsAt: new Date(now.getTime() + 3 * DAY),
      recurrence: null,
      scopeTypes: null,
      timeZone: "Europe/Berlin",
    },
    now,
  });
  if (!filed.ok) throw new Error(JSON.stringify(filed));
  return { worker, reviewer, exemptionId: filed.id };
}

function runUntilKilled(args: string[]) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      const child = spawn("npx", ["tsx", "test/processes/crash-during-delivery.ts", ...args], {
        env: { ...process.env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
    },
  );
}

describe("the outbox", () => {
  test("a process killed between commit and delivery: after restart the push and the mail arrive exactly once", async () => {
    const { worker, reviewer, exemptionId } = await pendingExemption();
    const versionBefore = (await prisma.user.findUniqueOrThrow({ where: { id: worker.id } }))
      .stateVersion;
    // This process stands for the restarted server: its dispatcher is stopped meanwhile.
    await stopOutboxDispatcher();

    const crashed = await runUntilKilled([exemptionId, reviewer.id]);
    // npx relays its child's death as exit code 137 (128 + SIGKILL) or the signal itself.
    expect(crashed.signal === "SIGKILL" || crashed.code === 137, crashed.stderr).toBe(true);

    // Committed: the decision, the audit event, the new state version, and both effects queued.
    const approved = await prisma.exemptionRequest.findUniqueOrThrow({
      where: { id: exemptionId },
    });
    expect(approved.status).toBe("APPROVED");
    expect((await prisma.user.findUniqueOrThrow({ where: { id: worker.id } })).stateVersion).toBe(
      versionBefore + 1,
    );
    const queued = await prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
    expect(queued.map((m) => m.kind)).toEqual(["state.changed", "mail"]);
    expect(await prisma.outboundEmail.count({ where: { to: worker.email } })).toBe(0);

    // An agent of the worker is connected to the restarted server.
    let pushes = 0;
    const unsubscribe = subscribeToWorker(worker.id, () => pushes++);
    try {
      await startOutboxDispatcher(); // what the server does at start-up
      expect(pushes).toBe(1);
      expect(await prisma.outboundEmail.count({ where: { to: worker.email } })).toBe(1);
      expect(await prisma.outboxMessage.count()).toBe(0);

      // Another delivery round, or another start-up, delivers nothing again.
      await deliverOutbox();
      await stopOutboxDispatcher();
      await startOutboxDispatcher();
      expect(pushes).toBe(1);
      expect(await prisma.outboundEmail.count({ where: { to: worker.email } })).toBe(1);
    } finally {
      unsubscribe();
    }
  }, 60_000);

  test("a refused command is rolled back whole: no write, no audit, no version, no effect", async () => {
    const worker = await createUser();
    const before = await prisma.user.findUniqueOrThrow({ where: { id: worker.id } });
    const audits = await prisma.auditEvent.count();
    let pushes = 0;
    const unsubscribe = subscribeToWorker(worker.id, () => pushes++);
    const result = await runCommand(new Date(), async ({ tx, audit, touchWorker, mail }) => {
      await tx.user.update({ where: { id: worker.id }, data: { name: "Changed" } });
      await audit({ actorId: worker.id, subjectUserId: worker.id, action: "pause.start" });
      touchWorker(worker.id);
      mail({ to: worker.email, subject: "never", text: "never" });
      return { ok: false as const, message: "refused after writing" };
    });
    unsubscribe();
    expect(result).toEqual({ ok: false, message: "refused after writing" });
    const after = await prisma.user.findUniqueOrThrow({ where: { id: worker.id } });
    expect(after.name).toBe(before.name);
    expect(after.stateVersion).toBe(before.stateVersion);
    expect(await prisma.auditEvent.count()).toBe(audits);
    expect(await prisma.outboxMessage.count()).toBe(0);
    expect(pushes).toBe(0);
  });

  test("effects are delivered after commit, in commit order, each worker's version moving once", async () => {
    const a = await createUser();
    const b = await createUser();
    const seen: string[] = [];
    const offA = subscribeToWorker(a.id, () => seen.push(`push:a`));
    const offB = subscribeToWorker(b.id, () => seen.push(`push:b`));
    const before = await prisma.user.findMany({
      where: { id: { in: [a.id, b.id] } },
      orderBy: { id: "asc" },
    });
    await runCommand(new Date(), async ({ touchWorker }) => {
      touchWorker(a.id);
      touchWorker(a.id);
      touchWorker(b.id);
      // Nothing is pushed while the transaction is open.
      expect(seen).toEqual([]);
    });
    await runCommand(new Date(), async ({ touchWorker }) => touchWorker(b.id));
    offA();
    offB();
    expect(seen).toEqual(["push:a", "push:b", "push:b"]);
    const after = await prisma.user.findMany({
      where: { id: { in: [a.id, b.id] } },
      orderBy: { id: "asc" },
    });
    expect(after.map((u, i) => u.stateVersion - before[i]!.stateVersion)).toEqual(
      after.map((u) => (u.id === a.id ? 1 : 2)),
    );
  });
});

describe("several nodes", () => {
  test("a push the other nodes could not be told of stays in the outbox and is sent again", async () => {
    const worker = await createUser();
    const told: StateChange[] = [];
    let reachable = false;
    sendChangesTo(async (change) => {
      if (!reachable) throw new Error("could not notify the other nodes (connection refused)");
      told.push(change);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await runCommand(new Date(), async ({ touchWorker }) => touchWorker(worker.id));
      const [kept] = await prisma.outboxMessage.findMany({ where: { kind: "state.changed" } });
      expect(kept).toMatchObject({ attempts: 1, failedAt: null });
      expect(kept!.lastError).toMatch(/could not notify the other nodes/);
      expect(logged).toHaveBeenCalled();

      reachable = true;
      await deliverOutbox();
      expect(told).toEqual([{ workerId: worker.id }]);
      expect(await prisma.outboxMessage.count({ where: { kind: "state.changed" } })).toBe(0);
    } finally {
      sendChangesTo(null);
    }
  });
});

describe("two dispatchers", () => {
  // On PostgreSQL each claim runs on a connection of its own, as two nodes' dispatchers would.
  test("claiming the same mails at once store each mail exactly once", async () => {
    await stopOutboxDispatcher();
    try {
      const tag = `two-${Date.now()}`;
      await runCommand(new Date(), async ({ mail }) => {
        for (let i = 0; i < 120; i++) {
          mail({ to: `m${i}@${tag}.test`, subject: `Mail ${i}`, text: `Hello ${i}` });
        }
      });
      const rows = await prisma.outboxMessage.findMany({
        where: { kind: "mail" },
        orderBy: { id: "asc" },
      });
      expect(rows).toHaveLength(120);
      const mails = rows.map((row) => {
        const { to, subject, text } = JSON.parse(row.payload) as Record<string, string>;
        return { id: row.id, to: to!, subject: subject!, text: text! };
      });
      const claims = await Promise.all(
        Array.from({ length: 4 }, () => outboxStore().claimAndStoreMails(mails, new Date())),
      );
      const claimed = claims.flatMap((c) => [...c]);
      expect(claimed.sort((a, b) => a - b)).toEqual(mails.map((m) => m.id));
      expect(
        await prisma.outboundEmail.count({ where: { to: { endsWith: `@${tag}.test` } } }),
      ).toBe(120);
      expect(await prisma.outboxMessage.count()).toBe(0);
    } finally {
      await startOutboxDispatcher();
    }
  });
});

describe("an effect that cannot be delivered", () => {
  test("is retried, then set aside with its error after the last attempt, and holds up nothing behind it", async () => {
    const worker = await createUser();
    const broken = await prisma.outboxMessage.create({
      data: { kind: "mail", payload: "{ not json" },
    });
    let pushes = 0;
    const unsubscribe = subscribeToWorker(worker.id, () => pushes++);
    try {
      // A later effect is delivered although the one before it fails.
      await runCommand(new Date(), async ({ touchWorker }) => touchWorker(worker.id));
      expect(pushes).toBe(1);
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) await deliverOutbox();
      const setAside = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: broken.id } });
      expect(setAside.attempts).toBe(MAX_ATTEMPTS);
      expect(setAside.failedAt).not.toBeNull();
      expect(setAside.lastError).toMatch(/JSON/);
      // Set aside: no further attempts.
      await deliverOutbox();
      expect(
        (await prisma.outboxMessage.findUniqueOrThrow({ where: { id: broken.id } })).attempts,
      ).toBe(MAX_ATTEMPTS);
    } finally {
      unsubscribe();
      await prisma.outboxMessage.deleteMany({ where: { id: broken.id } });
    }
  });
});
