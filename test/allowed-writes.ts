/**
 * The writes a request may make without being asked to change anything: a
 * read (GET), or a form that was refused (4xx) or that asked for nothing.
 * Everything else such a request writes is a bug (ADR 0021 for reads, ADR
 * 0013/0015 for refusals: "a refused request changes nothing").
 *
 *  - Staff opening a worker's exemption request record an `exemption.view`
 *    audit event (ADR 0021). A form posted there without JavaScript and
 *    refused answers with the page again, its loader included, so that view
 *    is recorded too: the request was shown again.
 *  - Staff downloading an export they asked for record `records.download` (ADR 0021).
 *  - A worker opening their own exemption request marks its notification read
 *    (the page is where the decision is read), also when a refused form re-renders it.
 *  - An agent reading its state marks its device seen: last contact and state
 *    version (ADR 0021, "bookkeeping").
 *  - POST /logout ends the caller's own session, and records that; it reads no
 *    form, so any body signs out.
 *
 * A session's sliding expiry is left out of the snapshot altogether (test/db-fingerprint.ts).
 */
import type { RowChange } from "./db-fingerprint.ts";

export type Asking = "read" | "form";

type Allowance = {
  /** The route file in app/routes. */
  route: string;
  asking: readonly Asking[];
  allows: (change: RowChange, userId: string | null) => boolean;
};

function onlyColumnsChanged(change: RowChange, columns: readonly string[]): boolean {
  if (change.kind !== "update" || !change.before || !change.after) return false;
  const rest = (row: Record<string, unknown>) =>
    JSON.stringify(Object.entries(row).filter(([k]) => !columns.includes(k)));
  return rest(change.before) === rest(change.after);
}

function auditBy(change: RowChange, userId: string | null, action: string): boolean {
  return (
    userId !== null &&
    change.table === "AuditEvent" &&
    change.kind === "insert" &&
    change.after?.action === action &&
    change.after.actorId === userId
  );
}

const ALLOWED: readonly Allowance[] = [
  {
    route: "review.exemptions.$exemptionId.tsx",
    asking: ["read", "form"],
    allows: (c, userId) => auditBy(c, userId, "exemption.view"),
  },
  {
    route: "records.$exportId.download.ts",
    asking: ["read"],
    allows: (c, userId) => auditBy(c, userId, "records.download"),
  },
  {
    route: "exemptions.$exemptionId.tsx",
    asking: ["read", "form"],
    allows: (c, userId) =>
      userId !== null &&
      c.table === "Notification" &&
      c.before?.userId === userId &&
      onlyColumnsChanged(c, ["readAt"]),
  },
  ...["api.agent.v1.state.ts"].map((route): Allowance => ({
    route,
    asking: ["read"],
    allows: (c) =>
      c.table === "Device" && onlyColumnsChanged(c, ["lastSeenAt", "lastStateVersion"]),
  })),
  {
    route: "logout.tsx",
    asking: ["form"],
    allows: (c, userId) =>
      userId !== null &&
      ((c.table === "Session" && c.kind === "delete" && c.before?.userId === userId) ||
        auditBy(c, userId, "auth.sign_out")),
  },
];

/** The changes that no allowance covers for this route, way of asking and caller. */
export function unexpectedWrites(
  changes: RowChange[],
  { route, asking, userId }: { route: string; asking: Asking; userId: string | null },
): RowChange[] {
  const allowances = ALLOWED.filter((a) => a.route === route && a.asking.includes(asking));
  return changes.filter((c) => !allowances.some((a) => a.allows(c, userId)));
}
