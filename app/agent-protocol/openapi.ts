/**
 * The OpenAPI 3.1 document of the agent protocol, generated from the same
 * Zod schemas the server parses with (never written by hand).
 */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  extendZodWithOpenApi,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  API_PREFIX,
  EnrollRequestSchema,
  EnrollResponseSchema,
  ErrorSchema,
  EventBatchResultSchema,
  EventBatchSchema,
  LIMITS,
  StateSchema,
  UsageReportResultSchema,
  UsageReportSchema,
} from "./v1.ts";

// Adds .openapi() to Zod's schemas (a prototype patch, so the protocol's
// existing schemas gain it too).
extendZodWithOpenApi(z);

const StateQuerySchema = z.object({
  wait: z.number().int().min(0).max(LIMITS.maxWaitSeconds).optional(),
});
const IfNoneMatchSchema = z.object({ "if-none-match": z.string().optional() });

export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "deviceToken", {
    type: "http",
    scheme: "bearer",
    description: "The device token returned once by /enroll.",
  });
  const Error = registry.register("Error", ErrorSchema);
  const State = registry.register("State", StateSchema);
  const errorResponse = (description: string) => ({
    description,
    content: { "application/json": { schema: Error } },
  });
  const rateLimited = {
    description: "Too many requests; wait for Retry-After seconds.",
    headers: { "Retry-After": { schema: { type: "integer" as const } } },
    content: { "application/json": { schema: Error } },
  };

  registry.registerPath({
    method: "post",
    path: `${API_PREFIX}/enroll`,
    summary: "Trade a one-time enrollment code for a device token",
    request: {
      body: {
        content: {
          "application/json": { schema: registry.register("EnrollRequest", EnrollRequestSchema) },
        },
      },
    },
    responses: {
      201: {
        description: "Enrolled. The token is shown only now.",
        content: {
          "application/json": { schema: registry.register("EnrollResponse", EnrollResponseSchema) },
        },
      },
      400: errorResponse("invalid_request, or invalid_code (wrong, expired or used)"),
      413: errorResponse(`payload_too_large: the body is over ${LIMITS.maxEnrollBytes} bytes`),
      429: rateLimited,
    },
  });

  registry.registerPath({
    method: "get",
    path: `${API_PREFIX}/state`,
    summary: "The worker's collection state and every window from now on",
    description: `ETag is the state version. With If-None-Match naming it: 304. With ?wait=N (1–${LIMITS.maxWaitSeconds}) and a matching If-None-Match, the answer waits until the state changes (long-poll), else 304 after N seconds.`,
    security: [{ [bearer.name]: [] }],
    request: {
      query: StateQuerySchema,
      headers: IfNoneMatchSchema,
    },
    responses: {
      200: {
        description: "The state",
        headers: { ETag: { schema: { type: "string" } } },
        content: { "application/json": { schema: State } },
      },
      304: { description: "Unchanged since the version in If-None-Match" },
      400: errorResponse("invalid_request (wait out of range)"),
      401: errorResponse("unauthorized: unknown or revoked token"),
      429: rateLimited,
    },
  });

  registry.registerPath({
    method: "get",
    path: `${API_PREFIX}/state/stream`,
    summary: "Server-Sent Events: the state on connect, then on every change",
    description: `Each change is an event \`state\` with id = state version and the State JSON as data, within a second of the change. A comment heartbeat every ${LIMITS.heartbeatSeconds} s. Send Last-Event-ID to resume without repeating a state already held.`,
    security: [{ [bearer.name]: [] }],
    responses: {
      200: {
        description: "An event stream",
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
      401: errorResponse("unauthorized"),
      429: rateLimited,
    },
  });

  registry.registerPath({
    method: "post",
    path: `${API_PREFIX}/events`,
    summary: "Upload one batch of events (idempotent per batchId)",
    description: `At most ${LIMITS.maxEventsPerBatch} events and ${LIMITS.maxBatchBytes} bytes uncompressed; Content-Encoding: gzip accepted. Each event's data is a JSON object nested at most ${LIMITS.maxEventDataDepth} levels deep and at most ${LIMITS.maxEventDataBytes} bytes as JSON; an event beyond either refuses the whole batch (400, nothing stored). Events inside a pause or exemption, inside a span the worker asked to forget, of a private application, or more than 5 minutes in the future, are not stored; the answer counts them. A batch sent again is stored once and answered with the first result, duplicate: true.`,
    security: [{ [bearer.name]: [] }],
    request: {
      body: {
        content: {
          "application/json": { schema: registry.register("EventBatch", EventBatchSchema) },
        },
      },
    },
    responses: {
      200: {
        description: "What happened to the batch",
        content: {
          "application/json": {
            schema: registry.register("EventBatchResult", EventBatchResultSchema),
          },
        },
      },
      400: errorResponse("invalid_request; nothing stored"),
      401: errorResponse("unauthorized"),
      413: errorResponse("payload_too_large; nothing stored"),
      415: errorResponse("unsupported_encoding"),
      429: rateLimited,
    },
  });

  registry.registerPath({
    method: "post",
    path: `${API_PREFIX}/usage`,
    summary: "Report the agent's own CPU time and memory since its previous report",
    description: `Optional; the reference agent sends one an hour. cpuMs is user + system CPU time over [periodStart, periodEnd), at most ${LIMITS.maxUsageCpuMsPerSecond} ms per second of it; rssBytes the resident set size at periodEnd, at most ${LIMITS.maxUsageRssBytes}. A period is at most ${LIMITS.maxUsagePeriodSeconds / 3600} hours, ends at most 5 minutes in the future and starts at most a day before the device's enrollment. Periods of one device do not overlap: the same period again is answered duplicate: true and counted once; one starting before the previous report's end is 409 conflict. At most ${LIMITS.maxUsageReportBytes} bytes.`,
    security: [{ [bearer.name]: [] }],
    request: {
      body: {
        content: {
          "application/json": { schema: registry.register("UsageReport", UsageReportSchema) },
        },
      },
    },
    responses: {
      200: {
        description: "Stored (or already stored: duplicate)",
        content: {
          "application/json": {
            schema: registry.register("UsageReportResult", UsageReportResultSchema),
          },
        },
      },
      400: errorResponse("invalid_request (a value out of range, a bad period); nothing stored"),
      401: errorResponse("unauthorized"),
      409: errorResponse("conflict: the period overlaps the previous report's"),
      413: errorResponse(`payload_too_large: the body is over ${LIMITS.maxUsageReportBytes} bytes`),
      415: errorResponse("unsupported_encoding"),
      429: rateLimited,
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Lull agent protocol",
      version: "1.0.0",
      description:
        "How monitoring agents learn a worker's pauses, upload events and report their own resource use. See docs/agent-protocol.md.",
    },
    servers: [{ url: "/" }],
  });
}
