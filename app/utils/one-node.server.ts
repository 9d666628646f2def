/**
 * Periodic jobs that must run on one node at a time (retention and the
 * hourly clean-ups; ADR 0036). On PostgreSQL the job holds a session-level
 * advisory lock, named after the job, on a connection of its own for as long
 * as it runs; a node whose timer fires meanwhile skips that turn. On SQLite
 * one server owns the database (ADR 0019), so the job just runs.
 */
import { postgresPool } from "./db.server.ts";

export type OneNodeRun<T> = { ran: true; result: T } | { ran: false };

/** Runs `work` unless another node runs the job named `job` right now. */
export async function runOnOneNode<T>(job: string, work: () => Promise<T>): Promise<OneNodeRun<T>> {
  const pool = postgresPool();
  if (!pool) return { ran: true, result: await work() };
  const client = await pool.connect();
  let broken = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext('lull.job'), hashtext($1)) AS locked",
      [job],
    );
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, result: await work() };
    } finally {
      await client
        .query("SELECT pg_advisory_unlock(hashtext('lull.job'), hashtext($1))", [job])
        .catch(() => {
          broken = true; // the session ends with the connection, and its lock with it
        });
    }
  } finally {
    client.release(broken);
  }
}
