/**
 * Records exports are claimed with leases (ADR 0037): an export whose builder
 * stopped renewing (its node died) is claimed again and finished; a builder
 * that lost its lease stops without touching the new owner's files; an
 * export claimed too often fails. Runs on both providers.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { describe, expect, test, vi } from "vitest";
import { buildExport } from "#app/jobs/export-records.server.ts";
import { MAX_ATTEMPTS, runNextExport } from "#app/jobs/export-runner.server.ts";
import {
  claimNextExport,
  LEASE_MS,
  LeaseLost,
  whileLeased,
} from "#app/jobs/export/lease.server.ts";
import {
  exportFilePath,
  exportsDirectory,
  partialFilePath,
} from "#app/models/record-export.server.ts";
import { prisma } from "#app/utils/db.server.ts";
import { queuedExport as queued } from "#test/fixtures.ts";

const queuedExport = async () => (await queued(20)).id;

const row = (id: string) => prisma.recordExport.findUniqueOrThrow({ where: { id } });
const later = (ms: number) => new Date(Date.now() + ms);

describe("export leases", () => {
  test("an export whose builder stopped renewing is claimed again once its lease ran out, and finished", async () => {
    const id = await queuedExport();
    // Node A claims it and dies: it left half an archive and renews no more.
    const nodeA = await claimNextExport();
    expect(nodeA).toEqual({ exportId: id, attempt: 1 });
    mkdirSync(exportsDirectory(), { recursive: true });
    writeFileSync(partialFilePath(id, 1), "PK half an archive");
    // While the lease holds, no other node takes it.
    expect(await runNextExport(later(LEASE_MS / 2))).toBe(false);
    expect(await row(id)).toMatchObject({ status: "RUNNING", attempts: 1 });
    // After it ran out, node B does, and finishes it; node A's leftovers are gone.
    expect(await runNextExport(later(LEASE_MS + 1_000))).toBe(true);
    expect(await row(id)).toMatchObject({ status: "COMPLETE", attempts: 2 });
    expect(existsSync(exportFilePath(id))).toBe(true);
    expect(existsSync(partialFilePath(id, 1))).toBe(false);
    // Node A, were it alive after all, can no longer write to the row.
    await expect(whileLeased(nodeA!, { heartbeatAt: new Date() })).rejects.toBeInstanceOf(
      LeaseLost,
    );
  });

  test("a builder that lost its lease stops and leaves the export, and its files, to the new owner", async () => {
    const id = await queuedExport();
    const nodeA = (await claimNextExport())!;
    const nodeB = (await claimNextExport(later(LEASE_MS + 1_000)))!;
    expect(nodeB).toEqual({ exportId: id, attempt: 2 });
    mkdirSync(exportsDirectory(), { recursive: true });
    writeFileSync(partialFilePath(id, 2), "node B's archive in progress");
    await expect(buildExport(nodeA)).rejects.toBeInstanceOf(LeaseLost);
    expect(await row(id)).toMatchObject({ status: "RUNNING", attempts: 2 });
    expect(existsSync(exportFilePath(id))).toBe(false);
    expect(existsSync(partialFilePath(id, 2))).toBe(true);
    await buildExport(nodeB);
    expect(await row(id)).toMatchObject({ status: "COMPLETE", attempts: 2 });
  });

  test("two nodes claiming at the same moment: one gets it", async () => {
    const id = await queuedExport();
    const claims = await Promise.all([claimNextExport(), claimNextExport(), claimNextExport()]);
    expect(claims.filter((c) => c?.exportId === id)).toHaveLength(1);
    // (Not built here: out of the way of the next test's claims.)
    await prisma.recordExport.update({ where: { id }, data: { status: "FAILED" } });
  });

  test(`an export whose builders died ${MAX_ATTEMPTS} times fails with a message`, async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const id = await queuedExport();
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      expect(await claimNextExport(later((i - 1) * (LEASE_MS + 1_000)))).toEqual({
        exportId: id,
        attempt: i,
      });
    }
    expect(await runNextExport(later(MAX_ATTEMPTS * (LEASE_MS + 1_000)))).toBe(true);
    const failed = await row(id);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/interrupted/);
  });
});
