import { describe, expect, test } from "vitest";
import { buildOpenApiDocument } from "./openapi.ts";

describe("the OpenAPI document", () => {
  const doc = buildOpenApiDocument() as unknown as {
    openapi: string;
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    components: {
      schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    };
  };

  test("is OpenAPI 3.1 with every endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/agent/v1/enroll",
      "/api/agent/v1/events",
      "/api/agent/v1/state",
      "/api/agent/v1/state/stream",
      "/api/agent/v1/usage",
    ]);
    expect(Object.keys(doc.paths["/api/agent/v1/state"]!.get!.responses)).toEqual([
      "200",
      "304",
      "400",
      "401",
      "429",
    ]);
  });

  test("is generated from the Zod schemas the server uses", () => {
    const state = doc.components.schemas.State!;
    expect(Object.keys(state.properties!).sort()).toEqual(
      [
        "collecting",
        "exemptTypes",
        "forgets",
        "privateApps",
        "reason",
        "refreshAfterSeconds",
        "serverTime",
        "stateVersion",
        "validUntil",
        "windows",
      ].sort(),
    );
    expect(doc.components.schemas.EventBatch!.required).toEqual(["batchId", "events"]);
    const usage = doc.components.schemas.UsageReport!;
    expect(Object.keys(usage.properties!).sort()).toEqual(
      ["cpuMs", "periodEnd", "periodStart", "rssBytes"].sort(),
    );
    expect(usage.required!.sort()).toEqual(["cpuMs", "periodEnd", "periodStart", "rssBytes"]);
    expect(Object.keys(doc.paths["/api/agent/v1/usage"]!.post!.responses)).toEqual([
      "200",
      "400",
      "401",
      "409",
      "413",
      "415",
      "429",
    ]);
  });

  test("describes the privacy fields an agent must honour (ADR 0041)", () => {
    const state = doc.components.schemas.State as {
      properties: Record<string, { description?: string; items?: unknown }>;
    };
    expect(state.properties.forgets!.description).toMatch(/forget/);
    expect(JSON.stringify(state.properties.forgets!.items)).toContain("startsAt");
    expect(state.properties.privateApps!.description).toMatch(/\*/);
    const result = doc.components.schemas.EventBatchResult as {
      properties: Record<string, { description?: string }>;
    };
    expect(result.properties.discardedForgotten!.description).toMatch(/forget/);
    expect(result.properties.discardedPrivateApp!.description).toMatch(/private/);
    expect(JSON.stringify(doc.paths["/api/agent/v1/events"])).toContain("private application");
  });

  test("states the body limits: the enrollment's 413 and an event's data depth and size", () => {
    expect(Object.keys(doc.paths["/api/agent/v1/enroll"]!.post!.responses)).toContain("413");
    const events = JSON.stringify(doc.paths["/api/agent/v1/events"]);
    expect(events).toContain("nested at most 16 levels deep and at most 4096 bytes as JSON");
  });
});
