/**
 * Asks /healthz once, in a process of its own on DATABASE_URL (a fresh
 * connection, as a server started on that file would have), and prints
 * `{ status, body }` as JSON on stdout.
 *
 *   tsx test/processes/healthz-once.ts
 */
import { loader } from "#app/routes/healthz.ts";

const res = await loader();
console.log(JSON.stringify({ status: res.status, body: await res.json() }));
process.exit(0);
