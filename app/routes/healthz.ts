import { checkDatabaseHealth } from "#app/utils/database-health.server.ts";
import { stateFanoutStatus } from "#app/utils/state-fanout.server.ts";

/**
 * Liveness and database readiness for load balancers and monitoring: 200 only
 * when the database answers, is at the latest migration and takes a write
 * (ADR 0019), and, with several nodes on PostgreSQL, when this node listens
 * for the others' changes (a node that does not would leave its agents
 * stale). No auth, no personal data.
 */
export async function loader() {
  const headers = { "Cache-Control": "no-store" };
  const { db, detail } = await checkDatabaseHealth();
  const listener = stateFanoutStatus();
  const ok = db === "ok" && (listener === "single-node" || listener === "listening");
  if (ok) return Response.json({ status: "ok", db, listener }, { headers });
  console.error(
    `healthz: not ready (database ${db}${detail ? `: ${detail}` : ""}; listener ${listener})`,
  );
  return Response.json({ status: "error", db, listener }, { status: 503, headers });
}
