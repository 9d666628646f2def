import pg from "pg";
import { getEnv } from "#app/utils/env.server.ts";

/**
 * The people directory's lock across nodes (ADR 0035): a session advisory
 * lock on a connection of its own, held for the whole change (an import's
 * many transactions included) and released with the connection, however the
 * process ends. Only one change per node asks at a time (the in-process
 * queue in people-directory.server.ts comes first).
 */
export async function withPostgresPeopleDirectoryLock<T>(work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: getEnv().DATABASE_URL,
    application_name: "lull people directory",
  });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('lull.people-directory'))`);
    return await work();
  } finally {
    // Ending the session releases its advisory locks.
    await client.end();
  }
}
