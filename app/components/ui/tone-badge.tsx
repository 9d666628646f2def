import type { ReactNode } from "react";

export type Tone = "ok" | "warning" | "muted";

export const TONE_CLASSES: Record<Tone, string> = {
  ok: "border-success text-success",
  warning: "border-danger text-danger",
  muted: "border-line text-ink-muted",
};

/** A word in a pill; the colour only repeats what the word says. */
export function ToneBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span
      className={`inline-block rounded-full border px-2.5 py-0.5 text-xs font-medium ${TONE_CLASSES[tone]}`}
    >
      {children}
    </span>
  );
}
