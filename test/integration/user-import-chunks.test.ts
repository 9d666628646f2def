/**
 * A CSV import is written in short chunks so agents' uploads are never held
 * up for long (ADR 0016), and is still all or nothing: it counts only once
 * its last step marks it finished, its mails are held until then, and what
 * an unfinished import wrote (a conflict between chunks, a crash) is removed.
 */
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { deliverOutbox, stopOutboxDispatcher } from "#app/commands/outbox-dispatcher.server.ts";
import { createUserAccount } from "#app/models/user-account.server.ts";
import {
  applyImport,
  IMPORT_CHUNK,
  rollBackUnfinishedImports,
} from "#app/models/user-import.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "#test/fixtures.ts";

/** `n` people of `domain`; everyone reports to the last row's person (managers come later in the file). */
function file(n: number, domain: string) {
  const lead = `lead@${domain}`;
  return [
    "name,email,manager email",
    ...Array.from({ length: n - 1 }, (_, i) => `Person ${i},p${i}@${domain},${lead}`),
    `Lead,${lead},`,
  ].join("\n");
}

async function whatRemains(domain: string) {
  const people = await prisma.user.findMany({
    where: { email: { endsWith: `@${domain}` } },
    select: { id: true },
  });
  const ids = people.map((p) => p.id);
  return {
    people: ids.length,
    tokens: await prisma.passwordSetupToken.count({ where: { userId: { in: ids } } }),
    events: await prisma.auditEvent.count({ where: { subjectUserId: { in: ids } } }),
    heldMails: await prisma.outboxMessage.count({ where: { importId: { not: null } } }),
    mails: await prisma.outboundEmail.count({ where: { to: { endsWith: `@${domain}` } } }),
  };
}

describe("a chunked import", () => {
  test("commits chunk by chunk, managers first, and counts only at the end: its mails wait until then", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const rows = 2 * IMPORT_CHUNK + 10;
    const during: Awaited<ReturnType<typeof whatRemains>>[] = [];
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: file(rows, "chunks.test"),
      now: new Date(),
      onChunkWritten: async (written) => {
        expect(written).toBe(Math.min(rows, (during.length + 1) * IMPORT_CHUNK));
        await deliverOutbox(); // a dispatcher run between chunks must not mail anyone yet
        during.push(await whatRemains("chunks.test"));
        const started = await prisma.userImport.findFirstOrThrow({
          orderBy: { startedAt: "desc" },
        });
        expect(started.finishedAt).toBeNull();
        expect(await prisma.auditEvent.count({ where: { action: "user.import" } })).toBe(0);
      },
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    expect(during).toEqual([
      {
        people: IMPORT_CHUNK,
        tokens: IMPORT_CHUNK,
        events: 2 * IMPORT_CHUNK,
        heldMails: IMPORT_CHUNK,
        mails: 0,
      },
      {
        people: 2 * IMPORT_CHUNK,
        tokens: 2 * IMPORT_CHUNK,
        events: 4 * IMPORT_CHUNK,
        heldMails: 2 * IMPORT_CHUNK,
        mails: 0,
      },
      { people: rows, tokens: rows, events: 2 * rows, heldMails: rows, mails: 0 },
    ]);
    await deliverOutbox();
    expect(await whatRemains("chunks.test")).toEqual({
      people: rows,
      tokens: rows,
      events: 2 * rows,
      heldMails: 0,
      mails: rows,
    });
    const lead = await prisma.user.findUniqueOrThrow({ where: { email: "lead@chunks.test" } });
    expect(
      await prisma.user.count({
        where: { managerId: lead.id, email: { endsWith: "@chunks.test" } },
      }),
    ).toBe(rows - 1);
    const done = await prisma.userImport.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
    expect(done).toMatchObject({ rows, rolledBackAt: null });
    expect(done.finishedAt).not.toBeNull();
    expect(await prisma.auditEvent.count({ where: { action: "user.import" } })).toBe(1);
  });

  test("an account change waits for a running import instead of slipping between its chunks", async () => {
    const admin = await createUser({ role: "ADMIN" });
    let creating: ReturnType<typeof createUserAccount> | undefined;
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: file(IMPORT_CHUNK + 1, "wait.test"),
      now: new Date(),
      onChunkWritten: () => {
        // Managers come first, so the file's last report is in the second chunk: another
        // admin creates that account meanwhile.
        creating ??= createUserAccount({
          actorId: admin.id,
          input: {
            name: "Quick",
            email: `p${IMPORT_CHUNK - 1}@wait.test`,
            role: "WORKER",
            managerEmail: null,
            timezone: "UTC",
          },
          linkBase: "http://127.0.0.1",
          now: new Date(),
        });
      },
    });
    expect(outcome.ok).toBe(true);
    const created = await creating!;
    expect(created).toMatchObject({ ok: false, refusal: { code: "email_taken" } });
    expect((await whatRemains("wait.test")).people).toBe(IMPORT_CHUNK + 1);
  });

  test("a conflict found between chunks removes every chunk already written, and refuses", async () => {
    const admin = await createUser({ role: "ADMIN" });
    const auditBefore = await prisma.auditEvent.count();
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: file(IMPORT_CHUNK + 1, "conflict.test"),
      now: new Date(),
      onChunkWritten: async (written) => {
        if (written !== IMPORT_CHUNK) return;
        // Past every lock (as a second node could): an email of the second chunk is taken.
        await prisma.user.create({
          data: { id: "sneaky", email: `p${IMPORT_CHUNK - 1}@conflict.test`, name: "Sneaky" },
        });
      },
    });
    if (outcome.ok) throw new Error("expected a refusal");
    expect(outcome.refusal.code).toBe("import_invalid");
    expect(outcome.check.rows.flatMap((r) => r.errors)).toContain(
      `Email: p${IMPORT_CHUNK - 1}@conflict.test already has an account.`,
    );
    await deliverOutbox();
    expect(await whatRemains("conflict.test")).toEqual({
      people: 1, // the other account
      tokens: 0,
      events: 0,
      heldMails: 0,
      mails: 0,
    });
    expect(await prisma.auditEvent.count()).toBe(auditBefore);
    const rolledBack = await prisma.userImport.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
    expect(rolledBack.finishedAt).toBeNull();
    expect(rolledBack.rolledBackAt).not.toBeNull();
    // The audit trail is still append-only for everyone else.
    await expect(prisma.$executeRaw`DELETE FROM "AuditEvent"`).rejects.toThrow(/append-only/);
  });

  test("a server starting while an import runs leaves it alone: it finishes whole", async () => {
    const admin = await createUser({ role: "ADMIN" });
    let startUp: Promise<void> | undefined;
    const outcome = await applyImport({
      actorId: admin.id,
      linkBase: "http://127.0.0.1",
      csv: file(2 * IMPORT_CHUNK, "starting.test"),
      now: new Date(),
      onChunkWritten: (written) => {
        // Another server starts now (on PostgreSQL it could be another node): its start-up
        // clean-up must not take this running import for a crashed one.
        if (written === IMPORT_CHUNK) startUp = rollBackUnfinishedImports();
      },
    });
    expect(outcome.ok).toBe(true);
    await startUp;
    await deliverOutbox();
    expect(await whatRemains("starting.test")).toMatchObject({
      people: 2 * IMPORT_CHUNK,
      tokens: 2 * IMPORT_CHUNK,
      events: 4 * IMPORT_CHUNK,
      heldMails: 0,
    });
    const finished = await prisma.userImport.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
    expect(finished).toMatchObject({ rolledBackAt: null });
    expect(finished.finishedAt).not.toBeNull();
  });

  test(
    "a process killed between chunks: the import never counted, nobody is mailed, and start-up removes it",
    { timeout: 60_000 },
    async () => {
      const admin = await createUser({ role: "ADMIN" });
      const crashed = await new Promise<{
        code: number | null;
        signal: string | null;
        stderr: string;
      }>((resolve) => {
        const child = spawn(
          "npx",
          ["tsx", "test/processes/crash-during-import.ts", admin.id, String(3 * IMPORT_CHUNK)],
          { env: { ...process.env }, stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
      });
      expect(crashed.signal === "SIGKILL" || crashed.code === 137, crashed.stderr).toBe(true);

      // Two chunks committed, the import unfinished; a dispatcher run mails nobody.
      await deliverOutbox();
      expect(await whatRemains("import.test")).toEqual({
        people: 2 * IMPORT_CHUNK,
        tokens: 2 * IMPORT_CHUNK,
        events: 4 * IMPORT_CHUNK,
        heldMails: 2 * IMPORT_CHUNK,
        mails: 0,
      });

      await rollBackUnfinishedImports();
      await rollBackUnfinishedImports(); // a second start-up finds nothing left to do
      await deliverOutbox();
      expect(await whatRemains("import.test")).toEqual({
        people: 0,
        tokens: 0,
        events: 0,
        heldMails: 0,
        mails: 0,
      });
      const crashedImport = await prisma.userImport.findFirstOrThrow({
        orderBy: { startedAt: "desc" },
      });
      expect(crashedImport.rolledBackAt).not.toBeNull();
      await stopOutboxDispatcher();
    },
  );
});
