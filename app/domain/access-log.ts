/**
 * An entry of a worker's access log in words (ADR 0042): what someone else
 * did with their data, the purpose they named, and the reason they gave.
 * Pure: the audit event's facts in, sentences out (times in the worker's zone).
 */
import { describeAuditAction } from "./audit-actions.ts";
import { describeDatasetInclusion } from "./dataset-rules.ts";
import { formatDateTime } from "./local-time.ts";

export type AccessEntry = {
  action: string;
  metadata: Record<string, unknown>;
  purpose: { name: string; version: number } | null;
};

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const when = (iso: unknown, timeZone: string): string | null => {
  const s = text(iso);
  if (!s) return null;
  const date = new Date(s);
  return Number.isNaN(date.getTime()) ? null : formatDateTime(date, timeZone);
};

/** What happened, as the worker reads it. */
export function describeAccess(entry: AccessEntry, timeZone: string): string {
  const from = when(entry.metadata.from, timeZone);
  const to = when(entry.metadata.to, timeZone);
  if (entry.action === "audit.export" && from && to) {
    return `Exported the audit log from ${from} to ${to}, which holds your own actions, for a security review`;
  }
  if (entry.action === "dataset.include") {
    const sentence = describeDatasetInclusion(
      entry.metadata,
      entry.purpose?.name ?? null,
      timeZone,
    );
    if (sentence) return sentence;
  }
  return describeAuditAction(entry.action);
}

/** "Deciding exemption requests" (or null when no purpose was named: accesses before ADR 0042). */
export function accessPurpose(entry: AccessEntry): string | null {
  return entry.purpose ? entry.purpose.name : null;
}

/** The reason someone gave (exceptional access, a staff export), if any. */
export function accessReason(entry: AccessEntry): string | null {
  return text(entry.metadata.reason);
}
