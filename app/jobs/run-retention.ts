/**
 * `npm run jobs:retention`: deletes collected data past the retention period once, and says
 * what it did. Like the server, it is a writer, so it takes the database's lock first (ADR
 * 0019): while a server runs on the database it refuses, since the server runs retention itself
 * every hour (and a minute after it starts). On PostgreSQL there is no such lock (ADR 0035): it
 * only checks the database is reachable and migrated, as a server node does.
 */
import { runRetention } from "../models/retention.server.ts";
import { claimDatabaseOrExit } from "../utils/database-claim.server.ts";
import { prisma } from "../utils/db.server.ts";

await claimDatabaseOrExit("Retention");
try {
  const result = await runRetention();
  console.log(
    `Retention: deleted ${result.events} events, ${result.rollups} hourly rollups, ${result.batches} batch receipts and ${result.uploadHours + result.resourceHours} hourly device footprints older than ${result.cutoff.toISOString()}, and issued ${result.receipts} deletion receipts.`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
