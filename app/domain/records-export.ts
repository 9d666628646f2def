/**
 * The rules and formats of a worker's records export, pure: who may start one
 * and when, the derived status, the manifest and the archive's README. (Its CSV
 * is written by `csvRow` in csv.ts.)
 */
import { z } from "zod";
import { localDateKey } from "./local-time.ts";
import { PurposeKeySchema } from "./purposes.ts";
import { refuse, type Refused } from "./refusal.ts";

export const EXPORTS_PER_DAY = 3;
export const EXPORT_KEEP_DAYS = 7;
export const EXPORT_SCHEMA_VERSION = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

export type StoredExportStatus = "QUEUED" | "RUNNING" | "COMPLETE" | "FAILED";
export type ExportStatus = StoredExportStatus | "EXPIRED";

/** A complete export past its keep date is expired (its file is deleted by the hourly job). */
export function exportStatus(
  row: { status: StoredExportStatus; expiresAt: Date | null },
  now: Date,
): ExportStatus {
  if (row.status === "COMPLETE" && row.expiresAt && row.expiresAt <= now) return "EXPIRED";
  return row.status;
}

export function expiryFor(finishedAt: Date): Date {
  return new Date(finishedAt.getTime() + EXPORT_KEEP_DAYS * DAY_MS);
}

/**
 * Staff (with a reason, audited, shown to the worker) have a budget of their
 * own: this many exports of other people a day, whoever they are of.
 */
export const STAFF_EXPORTS_PER_DAY = 10;

/** Who asks: the worker, or a reviewer or admin with the times of their recent staff exports. */
export type ExportRequester =
  { kind: "self" } | { kind: "staff"; timeZone: string; recentRequests: readonly Date[] };

/**
 * One export at a time per worker. A worker may ask for at most three of
 * their own a day (their calendar day); staff exports never use those up, and
 * count against the staff member's own daily budget (their calendar day).
 */
export function decideExportRequest({
  exports,
  now,
  timeZone,
  requester = { kind: "self" },
}: {
  exports: readonly { status: StoredExportStatus; createdAt: Date; ownRequest: boolean }[];
  now: Date;
  timeZone: string;
  requester?: ExportRequester;
}): { ok: true } | Refused {
  const inProgress = exports.some((e) => e.status === "QUEUED" || e.status === "RUNNING");
  if (requester.kind === "staff") {
    if (inProgress) {
      return refuse(
        "export_in_progress",
        "An export of this person's records is being prepared already (asked for by them or by staff). Ask again once it has finished.",
      );
    }
    const today = localDateKey(now, requester.timeZone);
    const todays = requester.recentRequests.filter(
      (at) => localDateKey(at, requester.timeZone) === today,
    ).length;
    if (todays >= STAFF_EXPORTS_PER_DAY) {
      return refuse(
        "rate_limited",
        `Staff can ask for ${STAFF_EXPORTS_PER_DAY} exports of other people's records a day. You have asked for ${todays} today; try again tomorrow.`,
      );
    }
    return { ok: true };
  }
  if (inProgress) {
    return refuse(
      "export_in_progress",
      "An export is already being prepared. Wait for it to finish, then ask again.",
    );
  }
  const today = localDateKey(now, timeZone);
  const todays = exports.filter(
    (e) => e.ownRequest && localDateKey(e.createdAt, timeZone) === today,
  ).length;
  if (todays >= EXPORTS_PER_DAY) {
    return refuse(
      "rate_limited",
      `You can export your records ${EXPORTS_PER_DAY} times a day. You have used them all today; try again tomorrow, or download one of today's exports.`,
    );
  }
  return { ok: true };
}

export function progressPercent(written: number, total: number): number {
  if (total <= 0) return written > 0 ? 100 : 0;
  return Math.min(100, Math.floor((written / total) * 100));
}

export type ManifestFile = { name: string; rows: number; bytes: number; sha256: string };

export type Manifest = {
  exportId: string;
  workerId: string;
  generatedAt: string;
  schemaVersion: number;
  timeZone: string;
  files: ManifestFile[];
};

export const ARCHIVE_README = (contact: string, timeZone: string) => `Your Lull records
=================

This archive holds everything Lull, the worker privacy portal, stores about you.
Generated for you on request; keep it safe: it is personal data.

Times: every time is given in UTC, ISO 8601 (e.g. 2026-11-27T09:30:00.000Z).
CSV files also have a "local" column with the same time in your time zone
(${timeZone}) when the export was made. JSON files use UTC only.

CSV files follow RFC 4180: UTF-8, a header row, comma-separated, fields with
commas, quotes or line breaks in double quotes, lines ending in CRLF.

Files
-----
manifest.json        This export: id, your user id, when it was made, the
                     schema version, and for every file its row count and
                     SHA-256, so you can check nothing is missing or changed.
profile.json         Your account: name, email, role, time zone, manager.
devices.json         Your enrolled devices (never their tokens): name,
                     platform, agent version, enrolled, last seen, revoked,
                     and the counts of events stored and refused.
pauses.csv/.json     Every pause: kind (NOW or SCHEDULED), start, planned end,
                     ended early at, cancelled at.
exemptions.json      Every exemption request with its full status history.
acknowledgements.json  Every document you acknowledged: the document text,
                     version and hash, and your signed receipt.
events.csv/.ndjson   Every collected event still stored: id, time, device,
                     type (keystroke, click, scroll, app_focus), application
                     and the event's data. The two files hold the same rows.
rollups.csv          Hourly counts per device, type and application.
access-log.json      Every time someone else viewed or exported your data or
                     decided on your requests: who, what, when.
audit.json           What you did in the portal (sign-ins, pauses, requests).
deletion-receipts/   One signed receipt per deletion of your data (a span you
                     asked to forget, a private application's events, what
                     the retention period removed): what, how many events and
                     rollup rows, when. Each file is exactly the receipt the
                     portal serves; check one with the portal's "Verify a
                     receipt" page or offline (npm run verify-receipt).

Questions: ${contact}
`;

/** Presents one export row for a list, in the viewer's zone. */
export function describeBytes(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A reviewer's or admin's export on request: whose records, and why (kept and shown to the worker). */
export const StaffExportSchema = z.object({
  email: z
    .string({ required_error: "Enter the worker's email." })
    .trim()
    .toLowerCase()
    .email("Enter the worker's work email address."),
  reason: z
    .string({ required_error: "Say why the records are needed." })
    .trim()
    .min(20, "Say in at least 20 characters why the records are needed; the worker will read it.")
    .max(1000),
  /** The declared purpose of this access (ADR 0042), resolved against the registry by the action. */
  purpose: PurposeKeySchema,
});
