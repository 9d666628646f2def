/**
 * Private applications (ADR 0041): a worker's own list and the
 * organisation's, which reach agents in the state (the list changes the
 * state version) and ingestion; and the one-click purge of an application's
 * stored events, with a signed deletion receipt.
 */
import { privateAppMatcher, normalizePattern } from "#app/agent-protocol/private-apps.ts";
import { MAX_PRIVATE_APPS_PER_LIST } from "#app/domain/private-app-rules.ts";
import { refuse, type Refused } from "#app/domain/refusal.ts";
import { runCommand, type Command } from "#app/commands/command.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import { issueDeletionReceipt } from "./deletion-receipt.server.ts";

/** Each worker's private-application patterns: their own and the organisation's. */
export async function listPrivateAppPatternsFor(
  client: Tx,
  workerIds: readonly string[],
): Promise<Map<string, string[]>> {
  const rows = await client.privateApp.findMany({
    where: { OR: [{ workerId: { in: [...workerIds] } }, { workerId: null }] },
    select: { workerId: true, pattern: true },
  });
  const organisation = rows.filter((r) => r.workerId === null).map((r) => r.pattern);
  const byWorker = new Map<string, string[]>();
  for (const id of workerIds) byWorker.set(id, [...organisation]);
  for (const row of rows) if (row.workerId !== null) byWorker.get(row.workerId)?.push(row.pattern);
  return byWorker;
}

export type PrivateAppEntry = {
  id: string;
  label: string;
  pattern: string;
  createdAt: Date;
  /** The worker's events of applications this entry covers that are still stored. */
  storedEvents: number;
};

/**
 * What the worker's Privacy settings page shows: their own entries, the
 * organisation's, each with how many of their stored events it covers, and
 * the applications seen in their data (most events first), to choose from.
 */
export async function getPrivacySettings(workerId: string) {
  const [rows, apps] = await Promise.all([
    prisma.privateApp.findMany({
      where: { OR: [{ workerId }, { workerId: null }] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, workerId: true, label: true, pattern: true, createdAt: true },
    }),
    prisma.eventRollupDay.groupBy({
      by: ["app"],
      where: { workerId },
      _sum: { count: true },
    }),
  ]);
  const seen = apps
    .map((a) => ({ app: a.app, events: a._sum.count ?? 0 }))
    .filter((a) => a.events > 0)
    .sort((a, b) => b.events - a.events || a.app.localeCompare(b.app));
  const withCounts = (row: (typeof rows)[number]): PrivateAppEntry => {
    const covers = privateAppMatcher([row.pattern]);
    return {
      id: row.id,
      label: row.label,
      pattern: row.pattern,
      createdAt: row.createdAt,
      storedEvents: seen.filter((a) => covers(a.app)).reduce((n, a) => n + a.events, 0),
    };
  };
  const isPrivate = privateAppMatcher(rows.map((r) => r.pattern));
  return {
    own: rows.filter((r) => r.workerId === workerId).map(withCounts),
    organisation: rows.filter((r) => r.workerId === null).map(withCounts),
    seenApps: seen.filter((a) => !isPrivate(a.app)).map((a) => a.app),
  };
}

/**
 * One entry the worker may purge: their own or the organisation's; null for
 * another worker's (which looks exactly like none). Read before the confirm step.
 */
export function findPrivateAppFor(workerId: string, id: string) {
  return prisma.privateApp.findFirst({
    where: { id, OR: [{ workerId }, { workerId: null }] },
    select: { id: true, label: true, workerId: true },
  });
}

/** The organisation's entries, for the privacy office. */
export function listOrganisationPrivateApps() {
  return prisma.privateApp.findMany({
    where: { workerId: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, label: true, pattern: true, createdAt: true },
  });
}

/** Whose list: one worker's own, or the organisation's (changed by the privacy office). */
export type PrivateAppScope =
  { kind: "worker"; workerId: string } | { kind: "organisation"; actorId: string };

/**
 * Whose list a change is to (null: the organisation's), who makes it, the lock it takes, and
 * whose agents it moves: one worker's, or everyone's for the organisation's list.
 */
function scopeOf(scope: PrivateAppScope) {
  const workerId = scope.kind === "worker" ? scope.workerId : null;
  return {
    workerId,
    actorId: scope.kind === "worker" ? scope.workerId : scope.actorId,
    options: workerId ? { worker: workerId } : {},
    moveStates: (command: Pick<Command, "touchWorker" | "touchEveryone">) =>
      workerId ? command.touchWorker(workerId) : command.touchEveryone(),
  };
}

/** Refused: `invalid` (a duplicate or a full list); the label is checked by the form's schema. */
export async function addPrivateApp(
  scope: PrivateAppScope,
  label: string,
  now: Date,
): Promise<{ ok: true; id: string } | Refused> {
  const { workerId, actorId, options, moveStates } = scopeOf(scope);
  return runCommand(
    now,
    async (command): Promise<{ ok: true; id: string } | Refused> => {
      const { tx, audit } = command;
      const pattern = normalizePattern(label);
      const list = await tx.privateApp.findMany({ where: { workerId }, select: { pattern: true } });
      if (list.some((r) => r.pattern === pattern)) {
        return refuse("invalid", `"${label.trim()}" is already on the list.`, "app");
      }
      if (workerId) {
        const organisation = await tx.privateApp.findFirst({
          where: { workerId: null, pattern },
          select: { id: true },
        });
        if (organisation) {
          return refuse(
            "invalid",
            `"${label.trim()}" is already private for everyone: your organisation set it.`,
            "app",
          );
        }
      }
      if (list.length >= MAX_PRIVATE_APPS_PER_LIST) {
        return refuse(
          "invalid",
          `A list holds at most ${MAX_PRIVATE_APPS_PER_LIST} applications; remove one first, or use a pattern with *.`,
          "app",
        );
      }
      const row = await tx.privateApp.create({
        data: { workerId, pattern, label: label.trim(), createdAt: now, createdById: actorId },
        select: { id: true },
      });
      moveStates(command);
      await audit({
        actorId,
        subjectUserId: workerId,
        action: workerId ? "private_app.add" : "private_app.add_organisation",
        targetType: "PrivateApp",
        targetId: row.id,
        metadata: { pattern },
      });
      return { ok: true, id: row.id };
    },
    options,
  );
}

/** Refused: `not_found` (also another worker's entry, or the organisation's for a worker). */
export async function removePrivateApp(
  scope: PrivateAppScope,
  id: string,
  now: Date,
): Promise<{ ok: true; label: string } | Refused> {
  const { workerId, actorId, options, moveStates } = scopeOf(scope);
  return runCommand(
    now,
    async (command): Promise<{ ok: true; label: string } | Refused> => {
      const { tx, audit } = command;
      const row = await tx.privateApp.findFirst({
        where: { id, workerId },
        select: { id: true, label: true, pattern: true },
      });
      if (!row) return refuse("not_found", "No such entry on your list.");
      await tx.privateApp.delete({ where: { id: row.id } });
      moveStates(command);
      await audit({
        actorId,
        subjectUserId: workerId,
        action: workerId ? "private_app.remove" : "private_app.remove_organisation",
        targetType: "PrivateApp",
        targetId: row.id,
        metadata: { pattern: row.pattern },
      });
      return { ok: true, label: row.label };
    },
    options,
  );
}

export type PurgeOutcome = {
  ok: true;
  receiptId: string;
  label: string;
  events: number;
  hourlyRollupRows: number;
  dailyRollupRows: number;
};

/**
 * Deletes every stored event of the applications an entry covers (the
 * worker's own entry or the organisation's), with their hourly and daily
 * rollup rows (rollups are per application, so they go whole), and issues
 * a signed deletion receipt, in one transaction. Refused: `not_found`.
 */
export async function purgePrivateApp(
  workerId: string,
  id: string,
  now: Date,
): Promise<PurgeOutcome | Refused> {
  return runCommand(
    now,
    async ({ tx, audit }): Promise<PurgeOutcome | Refused> => {
      const row = await tx.privateApp.findFirst({
        where: { id, OR: [{ workerId }, { workerId: null }] },
        select: { id: true, label: true, pattern: true },
      });
      if (!row) return refuse("not_found", "No such entry on your list.");
      const covers = privateAppMatcher([row.pattern]);
      const seen = await tx.eventRollupDay.findMany({
        where: { workerId },
        distinct: ["app"],
        select: { app: true },
      });
      const apps = seen.map((s) => s.app).filter(covers);
      const where = { workerId, app: { in: apps } };
      const [{ count: events }, { count: hourlyRollupRows }, { count: dailyRollupRows }] =
        apps.length === 0
          ? [{ count: 0 }, { count: 0 }, { count: 0 }]
          : [
              await tx.event.deleteMany({ where }),
              await tx.eventRollup.deleteMany({ where }),
              await tx.eventRollupDay.deleteMany({ where }),
            ];
      const receipt = await issueDeletionReceipt(
        tx,
        workerId,
        {
          kind: "private_app",
          from: null,
          to: null,
          app: row.pattern,
          events,
          hourlyRollupRows,
          dailyRollupRows,
        },
        now,
      );
      await audit({
        actorId: workerId,
        subjectUserId: workerId,
        action: "data.purge_private_app",
        targetType: "PrivateApp",
        targetId: row.id,
        metadata: { pattern: row.pattern, events, receiptId: receipt.id },
      });
      return {
        ok: true,
        receiptId: receipt.id,
        label: row.label,
        events,
        hourlyRollupRows,
        dailyRollupRows,
      };
    },
    { worker: workerId },
  );
}
