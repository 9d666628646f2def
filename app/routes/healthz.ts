import { checkDatabaseHealth } from "#app/utils/database-health.server.ts";

/**
 * Liveness and database readiness for load balancers and monitoring: 200 only
 * when the database answers, is at the latest migration and takes a write
 * (ADR 0019). No auth, no personal data.
 */
export async function loader() {
  const headers = { "Cache-Control": "no-store" };
  const { db, detail } = await checkDatabaseHealth();
  if (db === "ok") return Response.json({ status: "ok", db }, { headers });
  console.error(`healthz: database check failed (${db}): ${detail ?? ""}`);
  return Response.json({ status: "error", db }, { status: 503, headers });
}
