/** `npm run jobs:retention`: deletes collected data past the retention period once, and says what it did. */
import { runRetention } from "../models/retention.server.ts";
import { prisma } from "../utils/db.server.ts";

try {
  const result = await runRetention();
  console.log(
    `Retention: deleted ${result.events} events, ${result.rollups} hourly rollups and ${result.batches} batch receipts older than ${result.cutoff.toISOString()}.`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
