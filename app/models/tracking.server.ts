import { computeCollectionState } from "#app/domain/collection-state.ts";
import { describeScope } from "#app/domain/exemption-labels.ts";
import { describeTimeZone, formatDateTime } from "#app/domain/local-time.ts";
import { durationChoices } from "#app/domain/pause-forms.ts";
import { presentPause, timeWithZone } from "#app/domain/pause-presenter.ts";
import { POLICY_BOUNDS, nextPauseAllowedAt } from "#app/domain/pause-policy.ts";
import { lastSeenStatus } from "#app/domain/fleet-health.ts";
import { prisma } from "#app/utils/db.server.ts";

import { loadCollectionInputs } from "./collection.server.ts";
import { listPausesOverlapping } from "./pause.server.ts";
import { forgetsLeftToday } from "./forget.server.ts";
import { forgetChoices } from "#app/domain/forget-rules.ts";
import { getPausePolicy } from "./policy.server.ts";

/** How many of the worker's agents are connected, and when any was last heard from. */
function summariseDevices(devices: { lastSeenAt: Date | null }[], now: Date, tz: string) {
  const online = devices.filter((d) => lastSeenStatus(d.lastSeenAt, now) === "recent").length;
  const last = Math.max(0, ...devices.map((d) => d.lastSeenAt?.getTime() ?? 0));
  return {
    enrolled: devices.length,
    online,
    lastContact: last > 0 ? formatDateTime(new Date(last), tz) : null,
  };
}

/** Everything the status card and the pause forms show, computed from time. */
export async function getTrackingOverview(user: { id: string; timezone: string }, now: Date) {
  const [policy, inputs, recentPauses, devices, forget] = await Promise.all([
    getPausePolicy(),
    loadCollectionInputs(user.id, now),
    // The gap after a pause can run at most this long (the policy's upper bound).
    listPausesOverlapping(
      prisma,
      user.id,
      new Date(now.getTime() - POLICY_BOUNDS.minGapMinutes.max * 60_000),
      now,
    ),
    prisma.device.findMany({
      where: { workerId: user.id, revokedAt: null },
      select: { lastSeenAt: true },
    }),
    forgetsLeftToday(user.id, user.timezone, now),
  ]);
  if (!inputs) throw new Error(`No such worker: ${user.id}`);
  const state = computeCollectionState({ ...inputs, now });
  // Running or still to come (a pause ended early is over).
  const pauses = inputs.pauses.filter((p) => !p.endedEarlyAt || p.endedEarlyAt > now);
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
    /** "Forget the last minutes" (ADR 0041): the spans offered and how many forgets are left today. */
    forget: {
      choices: forgetChoices(forget.policy),
      left: forget.left,
      perDay: forget.policy.maxForgetsPerDay,
    },
    collecting: state.collecting,
    /** Collection waits for the worker to acknowledge the current monitoring notice. */
    heldForAcknowledgement: state.reason === "acknowledgement_required",
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
    /** When a pause may start again, while the gap after the last one runs. */
    pauseAgainAt: (() => {
      const at = nextPauseAllowedAt(recentPauses, policy.minGapMinutes, now);
      return at ? timeWithZone(at, tz) : null;
    })(),
    devices: summariseDevices(devices, now, tz),
  };
}

export type TrackingOverview = Awaited<ReturnType<typeof getTrackingOverview>>;
