import { computeCollectionState } from "#app/domain/collection-state.ts";
import { describeScope } from "#app/domain/exemption-rules.ts";
import { describeTimeZone, formatDateTime } from "#app/domain/local-time.ts";
import { durationChoices } from "#app/domain/pause-forms.ts";
import { presentPause, timeWithZone } from "#app/domain/pause-presenter.ts";

import { listActiveExemptions } from "./exemption.server.ts";
import { isHeldForAcknowledgement } from "./policy-document.server.ts";
import { listCurrentAndUpcomingPauses } from "./pause.server.ts";
import { getPausePolicy } from "./policy.server.ts";

/** Everything the status card and the pause forms show, computed from time. */
export async function getTrackingOverview(user: { id: string; timezone: string }, now: Date) {
  const [policy, pauses, exemptions, held] = await Promise.all([
    getPausePolicy(),
    listCurrentAndUpcomingPauses(user.id, now),
    listActiveExemptions(user.id, now),
    isHeldForAcknowledgement(user.id),
  ]);
  const state = computeCollectionState({ pauses, exemptions, now });
  const tz = user.timezone;
  const presented = pauses.map((p) => presentPause(p, now, tz));
  const byId = new Map(presented.map((p) => [p.id, p]));
  const upcoming = presented.filter((p) => p.status === "upcoming");
  return {
    serverNowIso: now.toISOString(),
    timeZoneLabel: describeTimeZone(tz, now),
    policy: {
      maxPauseMinutes: policy.maxPauseMinutes,
      minGapMinutes: policy.minGapMinutes,
      maxPauseMinutesPerDay: policy.maxPauseMinutesPerDay,
      scheduleAheadDays: policy.scheduleAheadDays,
    },
    durationChoices: durationChoices(policy.maxPauseMinutes),
    collecting: state.collecting && !held,
    /** Collection waits for the worker to acknowledge the current monitoring notice. */
    heldForAcknowledgement: held,
    current:
      state.current?.kind === "pause" && state.current.sourceId
        ? {
            pause: byId.get(state.current.sourceId)!,
            until: timeWithZone(state.current.endsAt, tz),
          }
        : null,
    exemptUntil:
      state.current?.kind === "exemption" ? formatDateTime(state.current.endsAt, tz) : null,
    exemptTypes: state.exemptTypes.length > 0 ? describeScope(state.exemptTypes) : null,
    // The next pause however far ahead (the state's own windows look 24 hours ahead).
    next: upcoming[0] ?? null,
    upcoming,
  };
}

export type TrackingOverview = Awaited<ReturnType<typeof getTrackingOverview>>;
