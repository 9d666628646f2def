/**
 * What the privacy office's overview and the council's overview both show of
 * the same reports (ADR 0042): the pause days as they may be seen (behind at
 * least MIN_GROUP_SIZE people) and the privacy choices' rows. One place, so
 * the two pages cannot drift apart in what they let through.
 */
import { formatDay } from "#app/domain/local-time.ts";
import { formatDuration, suppressPauseDays } from "#app/domain/reporting.ts";
import type { getPrivacyReport } from "#app/models/privacy-report.server.ts";

type PauseReport = {
  days: readonly { key: string; start: Date; count: number; pausers: number }[];
  pausers: number;
  measured: number;
  medianLengthMs: number | null;
};

/** Pause days labelled in `timeZone`; a day behind fewer than MIN_GROUP_SIZE people has no count. */
export function pauseDaysView(report: PauseReport, timeZone: string) {
  const shown = suppressPauseDays(report);
  return {
    days: shown.days.map((d) => ({
      key: d.key,
      label: formatDay(d.start, timeZone),
      count: d.count,
    })),
    total: shown.total,
    hiddenDays: shown.hiddenDays,
    measured: shown.measured,
    medianLength: shown.medianLengthMs === null ? null : formatDuration(shown.medianLengthMs),
  };
}

/** The privacy choices' rows, each already suppressed by the report below its minimum. */
export function privacyChoicesView(privacy: Awaited<ReturnType<typeof getPrivacyReport>>) {
  return {
    minWorkers: privacy.minWorkers,
    rows: [
      { key: "forgets", label: "Forgets (recent activity deleted)", ...privacy.forgets },
      {
        key: "discardedForgotten",
        label: "Late uploads discarded inside a forgotten span",
        ...privacy.discardedForgotten,
      },
      {
        key: "discardedPrivateApp",
        label: "Events discarded from private applications",
        ...privacy.discardedPrivateApp,
      },
    ],
  };
}
