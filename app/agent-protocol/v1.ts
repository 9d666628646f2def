/**
 * The agent protocol, version 1: every request and response body the
 * agents exchange with Lull under /api/agent/v1/. One source for the
 * server's parsing, the OpenAPI document and the reference agent (agent/).
 * Times are ISO 8601 UTC strings with a "Z".
 */
import { z } from "zod";

export const API_PREFIX = "/api/agent/v1";

export const LIMITS = {
  maxEventsPerBatch: 5_000,
  maxBatchBytes: 1024 * 1024,
  /** An enrollment request's body (four short fields). */
  maxEnrollBytes: 4 * 1024,
  /** An event's `data`: an object nested at most this deep (the object itself is level 1)… */
  maxEventDataDepth: 16,
  /** …and at most this many bytes written as JSON (UTF-8). */
  maxEventDataBytes: 4 * 1024,
  /** Events dated further ahead than this are rejected as clock errors. */
  futureToleranceMs: 5 * 60 * 1000,
  /** Long-poll waits at most this long. */
  maxWaitSeconds: 60,
  /** SSE comment heartbeat interval. */
  heartbeatSeconds: 60,
  /** Open state streams a device may hold; a new one past this closes the oldest. */
  maxStreamsPerDevice: 2,
  /** Open state streams all of one worker's devices may hold (the same rule). */
  maxStreamsPerWorker: 5_000,
  /** Forget windows that ended within this many days are listed in the state (ADR 0041). */
  forgetLookbackDays: 7,
  /** A private-application pattern's length (ADR 0041). */
  maxPrivateAppPatternLength: 200,
  /** A usage report's body. */
  maxUsageReportBytes: 4 * 1024,
  /** A usage report covers at most this long (the reference agent reports every hour). */
  maxUsagePeriodSeconds: 24 * 60 * 60,
  /** CPU time a report may claim per second it covers: 64 cores flat out. */
  maxUsageCpuMsPerSecond: 64_000,
  /** A resident set size beyond this (64 GiB) is not an agent's. */
  maxUsageRssBytes: 64 * 1024 ** 3,
} as const;

export const EVENT_TYPES = ["keystroke", "click", "scroll", "app_focus"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Why an event's `data` is refused, or null: nested deeper than
 * LIMITS.maxEventDataDepth or longer than LIMITS.maxEventDataBytes as JSON.
 * The depth is measured without recursion and before anything serialises
 * the value, so no input can exhaust the stack.
 */
export function eventDataProblem(data: unknown): string | null {
  const pending: { value: object; depth: number }[] =
    typeof data === "object" && data !== null ? [{ value: data, depth: 1 }] : [];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (depth > LIMITS.maxEventDataDepth) {
      return `data may be nested at most ${LIMITS.maxEventDataDepth} levels deep.`;
    }
    for (const child of Object.values(value)) {
      if (typeof child === "object" && child !== null)
        pending.push({ value: child, depth: depth + 1 });
    }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(data) ?? "").byteLength;
  if (bytes > LIMITS.maxEventDataBytes) {
    return `data may be at most ${LIMITS.maxEventDataBytes} bytes as JSON (this is ${bytes}).`;
  }
  return null;
}

const isoTime = z
  .string()
  .datetime({ message: "Use an ISO 8601 UTC time such as 2026-11-27T09:30:00Z." });

export const EnrollRequestSchema = z.object({
  code: z
    .string({ required_error: "code is required." })
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{4}-?[0-9A-Z]{4}$/, "code looks like ABCD-2345."),
  deviceName: z.string({ required_error: "deviceName is required." }).trim().min(1).max(100),
  platform: z.enum(["windows", "macos", "linux"], {
    errorMap: () => ({ message: "platform is one of windows, macos, linux." }),
  }),
  agentVersion: z.string({ required_error: "agentVersion is required." }).trim().min(1).max(40),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  /** 256 random bits, base64url. Shown once; send as "Authorization: Bearer <token>". */
  token: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

export const WindowSchema = z.object({
  kind: z.enum(["pause", "exemption"]),
  startsAt: isoTime,
  endsAt: isoTime,
  /** Which event types the window stops: "all" (every pause, most exemptions) or a list. */
  scope: z.union([z.literal("all"), z.array(z.enum(EVENT_TYPES)).min(1)]),
});
export type Window = z.infer<typeof WindowSchema>;

/** A span the worker asked to forget: [startsAt, endsAt). */
export const ForgetSchema = z.object({ startsAt: isoTime, endsAt: isoTime });
export type ForgetWindow = z.infer<typeof ForgetSchema>;

export const StateSchema = z.object({
  /** Changes whenever this worker's windows change; also the ETag. */
  stateVersion: z.string(),
  serverTime: isoTime,
  /** Whether collecting (of any type) is allowed at serverTime. */
  collecting: z.boolean(),
  /** Why not: a pause, an approved exemption covering all collection, or the worker has not
   * yet acknowledged the current monitoring notice (no window; hold until a new state). */
  reason: z.enum(["active", "paused", "exempt", "acknowledgement_required"]),
  /** When collecting: event types an exemption with a narrower scope stops at serverTime. */
  exemptTypes: z.array(z.enum(EVENT_TYPES)).default([]),
  /** Every window from now on (at least the next 24 hours); agents obey them offline. */
  windows: z.array(WindowSchema),
  /** The windows are complete until this time; after it, an offline agent keeps collecting
   * rules as they were but should reconnect. */
  validUntil: isoTime,
  /** Ask again (or reconnect) after this many seconds at the latest. */
  refreshAfterSeconds: z.number().int().positive(),
  /**
   * Spans the worker asked to forget (ADR 0041): nothing recorded inside one may be uploaded.
   * An agent drops buffered events inside them and never buffers new ones there. Those that
   * ended within the last LIMITS.forgetLookbackDays are listed; ingestion discards the rest.
   */
  forgets: z
    .array(ForgetSchema)
    .default([])
    .describe(
      `Spans [startsAt, endsAt) the worker asked to forget, those that ended within the last ${LIMITS.forgetLookbackDays} days. Upload nothing dated inside one: drop buffered events inside them when a state lists them, and never buffer new ones there.`,
    ),
  /**
   * Applications never recorded (ADR 0041): the worker's own and the organisation's, as
   * patterns (see `privateAppMatcher`: case-insensitive, `*` for any run of characters). An
   * agent drops their events before buffering them.
   */
  privateApps: z
    .array(z.string().min(1).max(LIMITS.maxPrivateAppPatternLength))
    .default([])
    .describe(
      "Application-name patterns never recorded: compared without regard to case or surrounding spaces, each * standing for any run of characters (no other wildcard). Drop their events before buffering them.",
    ),
});
export type AgentState = z.infer<typeof StateSchema>;

export const EventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  at: isoTime,
  app: z.string().min(1).max(200),
  data: z
    .record(z.unknown())
    .default({})
    .superRefine((data, ctx) => {
      const problem = eventDataProblem(data);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .describe(
      `A JSON object nested at most ${LIMITS.maxEventDataDepth} levels deep (the object itself is level 1) and at most ${LIMITS.maxEventDataBytes} bytes as JSON.`,
    ),
});
export type AgentEvent = z.infer<typeof EventSchema>;

export const EventBatchSchema = z.object({
  batchId: z.string().uuid("batchId must be a UUID."),
  events: z
    .array(EventSchema)
    .max(LIMITS.maxEventsPerBatch, `At most ${LIMITS.maxEventsPerBatch} events per batch.`),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

export const EventBatchResultSchema = z.object({
  batchId: z.string().uuid(),
  stored: z.number().int().nonnegative(),
  discardedPaused: z.number().int().nonnegative(),
  discardedExempt: z.number().int().nonnegative(),
  /** Discarded because the worker has not acknowledged the current monitoring notice. */
  discardedUnacknowledged: z.number().int().nonnegative().default(0),
  rejectedFuture: z.number().int().nonnegative(),
  /** Discarded because they fall in a span the worker asked to forget (ADR 0041). */
  discardedForgotten: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe("Events not stored because they fall in a span the worker asked to forget."),
  /** Discarded because their application is private (the worker's or the organisation's list). */
  discardedPrivateApp: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe("Events not stored because their application is private."),
  /** True when this batch was already received; the counts are those of the first time. */
  duplicate: z.boolean(),
});
export type EventBatchResult = z.infer<typeof EventBatchResultSchema>;

/**
 * What the agent itself used (POST /usage): its CPU time, user plus system,
 * over the period since its previous report, and its resident set size at
 * the end of it. Periods of one device do not overlap; the reference agent
 * reports once an hour.
 */
export const UsageReportSchema = z
  .object({
    periodStart: isoTime,
    periodEnd: isoTime,
    cpuMs: z
      .number({ required_error: "cpuMs is required." })
      .int("cpuMs is whole milliseconds.")
      .min(0, "cpuMs cannot be negative.")
      .describe(
        `CPU time (user + system) in milliseconds over the period, at most ${LIMITS.maxUsageCpuMsPerSecond} per second of it.`,
      ),
    rssBytes: z
      .number({ required_error: "rssBytes is required." })
      .int("rssBytes is whole bytes.")
      .positive("rssBytes must be above 0.")
      .max(LIMITS.maxUsageRssBytes, `rssBytes may be at most ${LIMITS.maxUsageRssBytes}.`)
      .describe("Resident set size in bytes at periodEnd."),
  })
  .superRefine((report, ctx) => {
    const start = Date.parse(report.periodStart);
    const end = Date.parse(report.periodEnd);
    if (Number.isNaN(start) || Number.isNaN(end)) return; // the fields said so
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (end <= start) return problem("periodEnd", "periodEnd must be after periodStart.");
    if (end - start > LIMITS.maxUsagePeriodSeconds * 1000) {
      return problem(
        "periodStart",
        `A report covers at most ${LIMITS.maxUsagePeriodSeconds / 3600} hours; report more often.`,
      );
    }
    const maxCpuMs = Math.floor(((end - start) / 1000) * LIMITS.maxUsageCpuMsPerSecond);
    if (report.cpuMs > maxCpuMs) {
      problem(
        "cpuMs",
        `cpuMs may be at most ${LIMITS.maxUsageCpuMsPerSecond} per second of the period (${maxCpuMs} for this one).`,
      );
    }
  });
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const UsageReportResultSchema = z.object({
  periodEnd: isoTime,
  /** True when this period was already received (a resend); it is counted once. */
  duplicate: z.boolean(),
});
export type UsageReportResult = z.infer<typeof UsageReportResultSchema>;

export const ERROR_CODES = [
  "invalid_request",
  "invalid_code",
  "unauthorized",
  "not_found",
  "payload_too_large",
  "unsupported_encoding",
  "rate_limited",
  /** A usage report overlapping one already received. */
  "conflict",
] as const;

export const ErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type AgentError = z.infer<typeof ErrorSchema>;
