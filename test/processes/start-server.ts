/**
 * The server's start-up claim on its database, exactly as server.ts makes it
 * (claimDatabaseOrExit, before anything touches the database), without a
 * build or a listening socket: prints `claimed <pid>` once the database is
 * its own, then holds it until killed. Refused, it prints why and exits 1.
 *
 *   tsx test/processes/start-server.ts
 *
 * DATABASE_URL names the database.
 */
import { claimDatabaseOrExit } from "#app/utils/database-claim.server.ts";

await claimDatabaseOrExit("Lull");
console.log(`claimed ${process.pid}`);
setInterval(() => {}, 60_000);
