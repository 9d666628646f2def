import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loader } from "#app/routes/healthz.ts";

describe("GET /healthz", () => {
  test("answers 200 with the database reachable", async () => {
    const res = await loader();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok" });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  test("answers 503 when the database cannot be queried", async () => {
    // Replace this file's database with one that has no tables.
    const { prisma } = await import("#app/utils/db.server.ts");
    await prisma.$disconnect();
    const file = process.env.DATABASE_URL!.replace(/^file:/, "");
    writeFileSync(file, "");
    for (const suffix of ["-wal", "-shm"]) writeFileSync(file + suffix, "");
    const res = await loader();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "error", db: "error" });
  });
});
