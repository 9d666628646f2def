import { describe, expect, test } from "vitest";
import { isFormBodyRequired } from "./form-body.server.ts";

describe("which requests must carry a form", () => {
  test("pages do; the agent API and SCIM (JSON, ADR 0040) do not", () => {
    expect(isFormBodyRequired("POST", "/pauses")).toBe(true);
    expect(isFormBodyRequired("POST", "/api/agent/v1/events")).toBe(false);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(isFormBodyRequired(method, "/scim/v2/Users")).toBe(false);
      expect(isFormBodyRequired(method, "/scim/v2/Groups/abc")).toBe(false);
    }
    expect(isFormBodyRequired("GET", "/pauses")).toBe(false);
  });

  test("only paths the router sends to SCIM are let through with JSON", () => {
    expect(isFormBodyRequired("POST", "/scim/v2/%2e%2e/%2e%2e/pauses")).toBe(true);
    expect(isFormBodyRequired("POST", "/scim/v2/../../admin/users/new")).toBe(true);
    expect(isFormBodyRequired("POST", "/scim/v2%2fUsers")).toBe(true);
    expect(isFormBodyRequired("POST", "/scim/v1/Users")).toBe(true);
    expect(isFormBodyRequired("POST", "/scimv2/Users")).toBe(true);
  });
});
