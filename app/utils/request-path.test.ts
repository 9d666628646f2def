import { describe, expect, test } from "vitest";
import { isRoutedUnder, routedPath } from "./request-path.ts";

describe("routedPath", () => {
  test.each([
    ["/api/agent/v1/events", "/api/agent/v1/events"],
    ["/api/agent/%2e%2e/%2e%2e/devices", "/devices"],
    ["/api/agent/.%2E/x", "/api/x"],
    ["/a/./b/../c", "/a/c"],
    ["/api/%61gent/v1", "/api/agent/v1"],
    ["/a/%252e%252e/b", "/a/%2e%2e/b"],
  ])("%j is routed as %j", (raw, routed) => {
    expect(routedPath(raw)).toBe(routed);
  });

  test.each([
    "/api/agent%2f..%2fdevices",
    "/api/agent/%2F",
    "/api/agent/%5C",
    "/api/agent\\..\\devices",
    "/api/\tagent/",
    "/api/agent/ x",
    "/api/agent/v1?x",
    "/api/agent/v1#x",
    "/api/agent/%zz",
    "//api/agent/v1",
    "api/agent/v1",
    "",
  ])("%j is ambiguous", (raw) => {
    expect(routedPath(raw)).toBeNull();
  });

  test("isRoutedUnder looks at the routed path", () => {
    expect(isRoutedUnder("/api/agent/v1/events", "/api/agent/")).toBe(true);
    expect(isRoutedUnder("/api/agent/../devices", "/api/agent/")).toBe(false);
    expect(isRoutedUnder("/api/agentx/v1", "/api/agent/")).toBe(false);
  });
});
