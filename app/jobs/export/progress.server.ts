/**
 * The export's progress bar and heartbeat: `writtenRows/totalRows` on the
 * RecordExport row, written at most every 250 ms while the job runs (ADR
 * 0011), and the final COMPLETE.
 */
import { expiryFor } from "#app/domain/records-export.ts";
import type { WrittenArchive } from "./archive.server.ts";
import { type Claim, whileLeased } from "./lease.server.ts";

const PROGRESS_EVERY_MS = 250;

/**
 * Rows the archive will count: events and pauses are written twice (CSV and
 * JSON), rollups once. The small JSON files count too (one row per record), so
 * the bar may reach its end a moment early; it is capped at the total.
 */
export function plannedRows(counts: { events: number; rollups: number; pauses: number }): number {
  return counts.events * 2 + counts.rollups + counts.pauses * 2;
}

export class ExportProgress {
  written = 0;
  private lastWrite = 0;

  constructor(
    private readonly claim: Claim,
    readonly total: number,
  ) {}

  add(rows: number): void {
    this.written += rows;
  }

  /** Saves the progress and refreshes the heartbeat, unless it did so in the last 250 ms. */
  async heartbeat(force = false): Promise<void> {
    const t = Date.now();
    if (!force && t - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = t;
    // Also renews the lease: throws LeaseLost when another node took the export over.
    await whileLeased(this.claim, {
      writtenRows: Math.min(this.written, this.total),
      totalRows: this.total,
      heartbeatAt: new Date(),
    });
  }

  /** The archive is in place and checked: COMPLETE, with its size, hash and the date it expires. */
  async complete({ bytes, sha256 }: WrittenArchive, finishedAt: Date): Promise<void> {
    await whileLeased(this.claim, {
      status: "COMPLETE",
      writtenRows: this.total,
      totalRows: this.total,
      bytes,
      sha256,
      finishedAt,
      expiresAt: expiryFor(finishedAt),
      heartbeatAt: finishedAt,
    });
  }
}
