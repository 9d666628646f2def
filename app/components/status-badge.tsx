import type { ExemptionStatus } from "#app/domain/exemption.ts";

const TONE: Record<ExemptionStatus, string> = {
  PENDING: "border-ink-muted text-ink",
  APPROVED: "border-success text-success",
  DENIED: "border-danger text-danger",
  WITHDRAWN: "border-line text-ink-muted",
  EXPIRED: "border-line text-ink-muted",
  REVOKED: "border-danger text-danger",
};

/** An exemption's status as a bordered label (the colour repeats the word, never replaces it). */
export function StatusBadge({ status, label }: { status: ExemptionStatus; label: string }) {
  return (
    <span
      className={`inline-block rounded-full border px-2.5 py-0.5 text-sm font-medium ${TONE[status]}`}
      data-testid="exemption-status"
    >
      {label}
    </span>
  );
}
