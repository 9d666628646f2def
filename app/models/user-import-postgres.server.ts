import { z } from "zod";
import { queueMailInPostgresTransaction } from "#app/commands/outbox-postgres.server.ts";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import type { KnownPeople, UserImportStore } from "./user-import-store.ts";

/**
 * The user import's SQL for PostgreSQL (ADR 0016, ADR 0032). A chunk is one
 * transaction of a few statements whatever its size: each table's rows
 * travel as arrays and are inserted with `unnest`, so 150 people are five
 * round trips, not 600. Times are ISO strings cast to `timestamp(3)`: the
 * columns are without time zone and hold UTC.
 */

const KnownPersonRow = z.object({ id: z.string(), email: z.string(), active: z.boolean() });

async function findPeopleByEmail(client: Tx, emails: readonly string[]): Promise<KnownPeople> {
  if (emails.length === 0) return new Map();
  const rows = await client.$queryRaw`
    SELECT "id", "email", "deactivatedAt" IS NULL AS "active" FROM "User"
    WHERE "email" = ANY(${[...emails]}::text[])`;
  return new Map(
    z
      .array(KnownPersonRow)
      .parse(rows)
      .map((r) => [r.email, { id: r.id, active: r.active }]),
  );
}

export const userImportStore: UserImportStore = {
  holdsTheThread: false,
  findPeopleByEmail: (emails) => findPeopleByEmail(prisma, emails),

  async startImport({ importId, actorId, now, rows }) {
    await prisma.$executeRaw`
      INSERT INTO "UserImport" ("id", "actorId", "startedAt", "rows")
      VALUES (${importId}, ${actorId}, ${now.toISOString()}::timestamp(3), ${rows})`;
  },

  writeChunk({ importId, named, conflicts, accounts, mails, actorId, now, linkExpiresAt }) {
    const at = now.toISOString();
    const expires = linkExpiresAt.toISOString();
    const linkMetadata = JSON.stringify({ expiresAt: expires });
    const column = <K extends keyof (typeof accounts)[number]>(key: K) =>
      accounts.map((a) => a[key]);
    return prisma.$transaction(async (tx) => {
      if (conflicts(await findPeopleByEmail(tx, named))) return true;
      // In file order: a manager in this chunk comes before the people they manage.
      await tx.$executeRaw`
        INSERT INTO "User" ("id", "email", "name", "role", "timezone", "managerId", "stateVersion", "createdAt", "updatedAt", "importId")
        SELECT "id", "email", "name", "role", "timezone", "managerId", 1,
               ${at}::timestamp(3), ${at}::timestamp(3), ${importId}
        FROM unnest(${column("id")}::text[], ${column("email")}::text[], ${column("name")}::text[],
                    ${column("role")}::"Role"[], ${column("timezone")}::text[], ${column("managerId")}::text[])
          AS a("id", "email", "name", "role", "timezone", "managerId")`;
      await tx.$executeRaw`
        INSERT INTO "PasswordSetupToken" ("id", "userId", "tokenHash", "createdById", "createdAt", "expiresAt")
        SELECT "tokenId", "userId", "tokenHash", ${actorId}, ${at}::timestamp(3), ${expires}::timestamp(3)
        FROM unnest(${column("tokenId")}::text[], ${column("id")}::text[], ${column("tokenHash")}::text[])
          AS t("tokenId", "userId", "tokenHash")`;
      // Each person's user.create, then their user.setup_link, person by person.
      await tx.$executeRaw`
        INSERT INTO "AuditEvent" ("id", "at", "actorId", "subjectUserId", "action", "targetType", "targetId", "metadata")
        SELECT v."id", ${at}::timestamp(3), ${actorId}, a."userId", v."action", 'User', a."userId", v."metadata"
        FROM unnest(${column("id")}::text[], ${column("createEventId")}::text[],
                    ${column("createMetadata")}::text[], ${column("linkEventId")}::text[])
          WITH ORDINALITY AS a("userId", "createId", "createMetadata", "linkId", "n")
        CROSS JOIN LATERAL (VALUES (a."createId", 'user.create', a."createMetadata", 1),
                                   (a."linkId", 'user.setup_link', ${linkMetadata}, 2))
          AS v("id", "action", "metadata", "k")
        ORDER BY a."n", v."k"`;
      await queueMailInPostgresTransaction(tx, mails, now, importId);
      return false;
    });
  },

  async finishImport({ importId, actorId, eventId, count, now }) {
    const at = now.toISOString();
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE "UserImport" SET "finishedAt" = ${at}::timestamp(3) WHERE "id" = ${importId}`;
      await tx.$executeRaw`
        INSERT INTO "AuditEvent" ("id", "at", "actorId", "subjectUserId", "action", "targetType", "targetId", "metadata")
        VALUES (${eventId}, ${at}::timestamp(3), ${actorId}, NULL, 'user.import', NULL, NULL, ${JSON.stringify({ count })})`;
    });
  },

  async unfinishedImports() {
    const rows = await prisma.$queryRaw`
      SELECT "id" FROM "UserImport" WHERE "finishedAt" IS NULL AND "rolledBackAt" IS NULL`;
    return z
      .array(z.object({ id: z.string() }))
      .parse(rows)
      .map((r) => r.id);
  },

  rollBackImport(importId, now) {
    return prisma.$transaction(async (tx) => {
      await tx.$executeRaw`DELETE FROM "OutboxMessage" WHERE "importId" = ${importId}`;
      await tx.$executeRaw`
        DELETE FROM "PasswordSetupToken"
        WHERE "userId" IN (SELECT "id" FROM "User" WHERE "importId" = ${importId})`;
      await tx.$executeRaw`
        DELETE FROM "AuditEvent"
        WHERE "subjectUserId" IN (SELECT "id" FROM "User" WHERE "importId" = ${importId})`;
      await tx.$executeRaw`UPDATE "User" SET "managerId" = NULL WHERE "importId" = ${importId}`;
      const removed = await tx.$executeRaw`DELETE FROM "User" WHERE "importId" = ${importId}`;
      await tx.$executeRaw`
        UPDATE "UserImport" SET "rolledBackAt" = ${now.toISOString()}::timestamp(3)
        WHERE "id" = ${importId}`;
      return removed;
    });
  },
};
