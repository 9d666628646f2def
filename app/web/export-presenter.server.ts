import type { PresentedExport } from "#app/components/export-list.tsx";
import { formatDateTime } from "#app/domain/local-time.ts";
import {
  describeBytes,
  exportStatus,
  progressPercent,
  type StoredExportStatus,
} from "#app/domain/records-export.ts";

type Row = {
  id: string;
  status: StoredExportStatus;
  totalRows: number;
  writtenRows: number;
  bytes: number | null;
  error: string | null;
  reason: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  workerId: string;
  requestedById: string;
  requestedBy: { name: string };
  worker: { name: string };
};

export function presentExport(row: Row, now: Date, timeZone: string): PresentedExport {
  const status = exportStatus(row, now);
  return {
    id: row.id,
    status,
    requested: formatDateTime(row.createdAt, timeZone),
    requestedBy: row.requestedById === row.workerId ? null : row.requestedBy.name,
    worker: row.worker.name,
    reason: row.reason,
    written: row.writtenRows,
    total: row.totalRows,
    // A finished export is 100% even when there was nothing to count (a new worker).
    percent: status === "COMPLETE" ? 100 : progressPercent(row.writtenRows, row.totalRows),
    size: describeBytes(row.bytes),
    expires: row.expiresAt ? formatDateTime(row.expiresAt, timeZone) : null,
    error: row.error,
  };
}
