import { randomUUID } from "node:crypto";
import { z } from "zod";
import { prisma, type Tx } from "#app/utils/db.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";
import type { OutboxStore } from "./outbox-store.ts";

/**
 * `DELETE … RETURNING` claims the rows: a second dispatcher deleting the same
 * rows waits for the first's transaction and then finds them gone (READ
 * COMMITTED re-checks a row it waited for), so it stores none of those mails.
 * One statement each way, whatever the number of mails.
 */
export const outboxStore: OutboxStore = {
  async claimAndStoreMails(mails, at) {
    const ids = mails.map((m) => m.id);
    const claimed = await prisma.$transaction(async (tx) => {
      const rows = z
        .array(z.object({ id: z.coerce.number() }))
        .parse(
          await tx.$queryRaw`DELETE FROM "OutboxMessage" WHERE "id" = ANY(${ids}::integer[]) RETURNING "id"`,
        );
      const claimed = new Set(rows.map((r) => r.id));
      const store = mails.filter((m) => claimed.has(m.id));
      if (store.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "OutboundEmail" ("id", "to", "subject", "text", "createdAt")
          SELECT "id", "to", "subject", "text", ${at.toISOString()}::timestamp(3)
          FROM unnest(${store.map(() => randomUUID())}::text[], ${store.map((m) => m.to)}::text[],
                      ${store.map((m) => m.subject)}::text[], ${store.map((m) => m.text)}::text[])
            AS m("id", "to", "subject", "text")`;
      }
      return claimed;
    });
    return claimed;
  },
};

/**
 * Queues mails as outbox rows inside an open PostgreSQL transaction (the CSV
 * import's chunks), in one statement. After it commits, call `deliverOutbox`.
 */
export async function queueMailInPostgresTransaction(
  tx: Tx,
  mails: readonly Mail[],
  now: Date,
  /** Held until this CSV import has finished (ADR 0016). */
  importId: string | null = null,
): Promise<void> {
  if (mails.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "OutboxMessage" ("kind", "payload", "createdAt", "attempts", "importId")
    SELECT 'mail', "payload", ${now.toISOString()}::timestamp(3), 0, ${importId}
    FROM unnest(${mails.map((m) => JSON.stringify(m))}::text[]) WITH ORDINALITY AS m("payload", "n")
    ORDER BY "n"`;
}
