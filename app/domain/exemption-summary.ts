/**
 * The exemption request form's defaults and its plain-language summary, the
 * same on the server (first render, a refused submission without JavaScript)
 * and in the browser (as the worker types). Pure: `now` is passed in.
 */
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import { EVENT_TYPE_LABELS, WEEKDAY_LABELS } from "./exemption-labels.ts";
import { WEEKDAYS, type Weekday } from "./exemption.ts";
import { formatDay, localDateKey, localTimeKey, localToUtc } from "./local-time.ts";

const MINUTE_MS = 60 * 1000;
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
/** A new request runs from now for two hours (to a quarter hour) unless the worker says otherwise. */
export const DEFAULT_EXEMPTION_HOURS = 2;

/**
 * The first instant at or after `instant`, on a multiple of `stepMs`, that the
 * form's date and time fields name exactly: a wall time the clocks pass twice
 * (autumn) names its first instant, so the second is skipped.
 */
function nextNameable(instant: number, stepMs: number, timeZone: string): Date {
  let t = Math.ceil(instant / stepMs) * stepMs;
  for (;;) {
    const at = new Date(t);
    const back = localToUtc(localDateKey(at, timeZone), localTimeKey(at, timeZone), timeZone);
    if (back.ok && back.instant.getTime() === t) return at;
    t += stepMs;
  }
}

/**
 * Start now (this minute), end two hours later at the next quarter hour (the
 * next day, late in the evening), and a weekly window of 14:00–16:00: always a
 * valid request.
 */
export function exemptionFormDefaults(now: Date, timeZone: string) {
  const start = nextNameable(
    Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS,
    MINUTE_MS,
    timeZone,
  );
  const end = nextNameable(
    start.getTime() + DEFAULT_EXEMPTION_HOURS * 60 * MINUTE_MS,
    QUARTER_HOUR_MS,
    timeZone,
  );
  return {
    scope: "all",
    repeat: "once",
    startDate: localDateKey(start, timeZone),
    startTime: localTimeKey(start, timeZone),
    endDate: localDateKey(end, timeZone),
    endTime: localTimeKey(end, timeZone),
    fromTime: "14:00",
    toTime: "16:00",
  };
}

/** The form's values as the browser or a submission holds them: strings, or lists of strings. */
export type ExemptionFormValues = Partial<Record<string, unknown>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" && value !== "" ? [value] : [];
}

function joinWords(words: string[]): string {
  return words.length <= 1
    ? (words[0] ?? "")
    : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** "Wed 2 Dec" for a calendar date, whatever the zone. */
function day(date: string): string {
  return formatDay(new Date(`${date}T12:00:00Z`), "UTC");
}

export type ExemptionSummary = { complete: boolean; text: string };

/**
 * What the request would stop, in words: "If approved, from Wed 2 Dec, 18:15
 * until Wed 2 Dec, 20:15 (Europe/Berlin), your agents collect nothing." Says
 * what is missing while the form is incomplete. Whether the request is
 * allowed (start not past, longest span) is the server's rule
 * (`evaluateExemptionDraft`), not the summary's.
 */
export function summarizeExemptionForm(
  values: ExemptionFormValues,
  timeZone: string,
): ExemptionSummary {
  const startDate = text(values.startDate);
  const startTime = text(values.startTime);
  const endDate = text(values.endDate);
  const endTime = text(values.endTime);
  if (
    !startDate ||
    !endDate ||
    !startTime ||
    !endTime ||
    !DATE.test(startDate) ||
    !DATE.test(endDate) ||
    !TIME.test(startTime) ||
    !TIME.test(endTime)
  ) {
    return { complete: false, text: "Choose when it starts and ends to see what it would stop." };
  }
  const types =
    text(values.scope) === "types"
      ? EVENT_TYPES.filter((t) => list(values.scopeTypes).includes(t))
      : [...EVENT_TYPES];
  if (types.length === 0) {
    return { complete: false, text: "Choose at least one kind of data to see what would stop." };
  }
  const what =
    types.length === EVENT_TYPES.length
      ? "your agents collect nothing"
      : `your agents stop collecting ${joinWords(types.map((t: EventType) => EVENT_TYPE_LABELS[t].toLowerCase()))}; everything else is collected as usual`;
  const zone = `(${timeZone})`;
  if (text(values.repeat) === "weekly") {
    const days = WEEKDAYS.filter((d: Weekday) => list(values.days).includes(String(d)));
    const from = text(values.fromTime);
    const to = text(values.toTime);
    if (days.length === 0 || !from || !to || !TIME.test(from) || !TIME.test(to)) {
      return {
        complete: false,
        text: "Choose the days and the times of the weekly window to see what it would stop.",
      };
    }
    const plural = joinWords(days.map((d) => `${WEEKDAY_LABELS[d]}s`));
    return {
      complete: true,
      text: `If approved, on ${plural} from ${from} to ${to} ${zone}, between ${day(startDate)}, ${startTime} and ${day(endDate)}, ${endTime}, ${what}.`,
    };
  }
  return {
    complete: true,
    text: `If approved, from ${day(startDate)}, ${startTime} until ${day(endDate)}, ${endTime} ${zone}, ${what}.`,
  };
}
