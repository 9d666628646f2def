import { prisma } from "#app/utils/db.server.ts";

/** Liveness and database readiness for load balancers and monitoring. No auth, no personal data. */
export async function loader() {
  const headers = { "Cache-Control": "no-store" };
  try {
    await prisma.$queryRaw`SELECT id FROM "Policy" LIMIT 1`;
    return Response.json({ status: "ok", db: "ok" }, { headers });
  } catch (error) {
    console.error(
      "healthz: database check failed:",
      error instanceof Error ? error.message : error,
    );
    return Response.json({ status: "error", db: "error" }, { status: 503, headers });
  }
}
