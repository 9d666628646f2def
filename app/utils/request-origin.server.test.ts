import { matchRoutes } from "@remix-run/react";
import fc from "fast-check";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { checkRequestOrigin, type OriginCheckInput } from "./request-origin.server.ts";

function input(overrides: Partial<OriginCheckInput> & { headers?: OriginCheckInput["headers"] }) {
  return {
    method: "POST",
    protocol: "http",
    host: "127.0.0.1:3000",
    path: "/login",
    headers: {},
    ...overrides,
  };
}

describe("checkRequestOrigin", () => {
  test("reads never need an origin check", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(
        checkRequestOrigin(
          input({
            method,
            headers: { origin: "https://evil.example", secFetchSite: "cross-site" },
          }),
        ),
      ).toEqual({ allowed: true });
    }
  });

  test.each(["POST", "PUT", "PATCH", "DELETE"])("%s from another site is refused", (method) => {
    expect(
      checkRequestOrigin(input({ method, headers: { secFetchSite: "cross-site" } })).allowed,
    ).toBe(false);
    expect(
      checkRequestOrigin(input({ method, headers: { origin: "https://evil.example" } })).allowed,
    ).toBe(false);
  });

  test("a sibling subdomain (same-site) is refused too", () => {
    expect(checkRequestOrigin(input({ headers: { secFetchSite: "same-site" } })).allowed).toBe(
      false,
    );
  });

  test("same-origin requests pass", () => {
    expect(checkRequestOrigin(input({ headers: { secFetchSite: "same-origin" } })).allowed).toBe(
      true,
    );
    expect(
      checkRequestOrigin(input({ headers: { origin: "http://127.0.0.1:3000" } })).allowed,
    ).toBe(true);
  });

  test("an opaque or malformed Origin is refused", () => {
    expect(checkRequestOrigin(input({ headers: { origin: "null" } })).allowed).toBe(false);
    expect(checkRequestOrigin(input({ headers: { origin: "::::" } })).allowed).toBe(false);
  });

  test("resource routes are covered like pages", () => {
    expect(
      checkRequestOrigin(input({ path: "/healthz", headers: { origin: "https://evil.example" } }))
        .allowed,
    ).toBe(false);
  });

  test("agent APIs with a bearer token are exempt, but not when a browser page sent them", () => {
    expect(
      checkRequestOrigin(
        input({ path: "/api/agent/v1/events", headers: { authorization: "Bearer abc123" } }),
      ).allowed,
    ).toBe(true);
    expect(
      checkRequestOrigin(
        input({
          path: "/api/agent/v1/events",
          headers: { authorization: "Bearer abc", origin: "https://evil.example" },
        }),
      ).allowed,
    ).toBe(false);
    expect(
      checkRequestOrigin(
        input({
          path: "/login",
          headers: { authorization: "Bearer abc", origin: "https://evil.example" },
        }),
      ).allowed,
    ).toBe(false);
  });

  test("SCIM under /scim/v2/ with a bearer token is exempt like the agent API, and nothing beside it", () => {
    const scim = (path: string, headers: OriginCheckInput["headers"]) =>
      checkRequestOrigin(input({ method: "PATCH", path, headers })).allowed;
    const bearer = { authorization: "Bearer lull_scim_x", secFetchSite: "cross-site" };
    expect(scim("/scim/v2/Users/abc", bearer)).toBe(true);
    expect(scim("/scim/v2/Groups", { ...bearer, origin: "https://evil.example" })).toBe(false);
    expect(scim("/scim/v2/Users", { secFetchSite: "cross-site" })).toBe(false);
    expect(scim("/scim/v2/%2e%2e/%2e%2e/admin/users/new", bearer)).toBe(false);
    expect(scim("/scim/v2%2f..%2f..%2fpauses", bearer)).toBe(false);
    expect(scim("/scim/v1/Users", bearer)).toBe(false);
    expect(scim("/scim/v2", bearer)).toBe(false);
  });

  test("non-browser clients without either header are allowed", () => {
    expect(checkRequestOrigin(input({ headers: {} })).allowed).toBe(true);
  });

  test("an Origin must match the request's scheme and port as well as its host", () => {
    const from = (origin: string, protocol = "https", host = "lull.example") =>
      checkRequestOrigin(input({ protocol, host, headers: { origin } })).allowed;
    expect(from("https://lull.example")).toBe(true);
    expect(from("https://lull.example:443")).toBe(true);
    expect(from("https://lull.example", "https", "lull.example:443")).toBe(true);
    expect(from("https://LULL.example")).toBe(true);
    expect(from("http://lull.example")).toBe(false);
    expect(from("https://lull.example", "http")).toBe(false);
    expect(from("https://lull.example:8443")).toBe(false);
    expect(from("https://lull.example", "https", "lull.example:8443")).toBe(false);
    expect(from("wss://lull.example")).toBe(false);
    expect(from("https://lull.example", "https", "lull.example/@evil.example")).toBe(false);
    expect(from("https://lull.example", "https", "")).toBe(false);
  });
});

/** A page request a browser on another site could send, carrying a bearer token. */
function crossSiteWithBearer(path: string) {
  return checkRequestOrigin(
    input({
      path,
      headers: { authorization: "Bearer x", secFetchSite: "cross-site" },
    }),
  );
}

/** What Remix's router does with a raw path: WHATWG URL parsing, then its own matcher. */
function routedByRemix(path: string): "agent" | "page" | "unparseable" {
  let pathname: string;
  try {
    pathname = new URL(`http://127.0.0.1:3000${path}`).pathname;
  } catch {
    return "unparseable";
  }
  const matches = matchRoutes(
    [
      { id: "agent", path: "/api/agent/*" },
      { id: "page", path: "*" },
    ],
    pathname,
  );
  return matches?.[0]?.route.id === "agent" ? "agent" : "page";
}

describe("the bearer-token exemption goes by the path the router acts on", () => {
  // The router warns about every malformed path it is shown; these tests show it many.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });

  test.each([
    "/api/agent/%2e%2e/%2e%2e/devices",
    "/api/agent/%2E%2E/%2e%2E/devices",
    "/api/agent/.%2e/.%2E/devices",
    "/api/agent/v1/../../../devices",
    "/api/agent/../../pauses",
    "/api/agent/v1/%2e%2e/%2e%2e/%2e%2e/admin/users/new",
    // Ambiguous: parsers disagree on these, so none is exempt.
    "/api/agent%2f..%2f..%2fdevices",
    "/api/agent/v1%2F..%2F..%2F..%2Fdevices",
    "/api/agent/..\\..\\devices",
    "/api/agent/%5c..%5c..%5cdevices",
    "/api/agent/\t../../devices",
    "//api/agent/v1/events",
    "/api/agent/v1/%zz/events",
    "api/agent/v1/events",
  ])("a cross-site POST to %j with a bearer token is refused", (path) => {
    expect(crossSiteWithBearer(path).allowed).toBe(false);
  });

  test.each([
    "/api/agent/v1/events",
    "/api/agent/v1/enroll",
    "/api/agent/v1/./events",
    "/api/agent/v1/x/../events",
    "/api/agent/v1/%65vents",
  ])("%j is still the agent API and exempt", (path) => {
    expect(crossSiteWithBearer(path).allowed).toBe(true);
  });

  const pathPiece = fc.constantFrom(
    "/",
    "//",
    "api",
    "agent",
    "v1",
    "events",
    "devices",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2e%2e",
    ".%2e",
    "%2f",
    "%2F",
    "%5c",
    "\\",
    "%25",
    "%252e",
    "%",
    "?",
    "#",
    "\t",
    " ",
    ";",
    "a",
  );
  const rawPath = fc
    .tuple(
      fc.constantFrom("", "/", "/api/agent/", "/api/agent/v1/"),
      fc.array(pathPiece, { maxLength: 10 }),
    )
    .map(([start, pieces]) => start + pieces.join(""));
  const pathTail = fc.array(pathPiece, { maxLength: 10 }).map((pieces) => pieces.join(""));

  test("property: whatever the path, an exempt request is one the router sends to the agent API", () => {
    fc.assert(
      fc.property(rawPath, (path) => {
        if (crossSiteWithBearer(path).allowed) expect(routedByRemix(path)).toBe("agent");
      }),
      { numRuns: 5000 },
    );
  });

  test("property: any path, however written, that the router sends elsewhere is refused cross-site", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary-ascii" }), pathTail), (tail) => {
        const path = `/api/agent/${tail}`;
        if (routedByRemix(path) !== "agent") expect(crossSiteWithBearer(path).allowed).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the Origin fallback compares whole origins", () => {
  const scheme = fc.constantFrom("http", "https");
  const hostName = fc.constantFrom(
    "lull.example",
    "127.0.0.1",
    "localhost",
    "[::1]",
    "evil.example",
  );
  const port = fc.option(fc.constantFrom(80, 443, 3000, 8443), { nil: undefined });
  const withPort = (name: string, p: number | undefined) =>
    p === undefined ? name : `${name}:${p}`;

  test("property: a request is let through by its Origin only when scheme, host and port all match", () => {
    fc.assert(
      fc.property(scheme, hostName, port, scheme, hostName, port, (s1, h1, p1, s2, h2, p2) => {
        const host = withPort(h1, p1);
        const origin = `${s2}://${withPort(h2, p2)}`;
        const allowed = checkRequestOrigin(
          input({ protocol: s1, host, headers: { origin } }),
        ).allowed;
        expect(allowed).toBe(new URL(origin).origin === new URL(`${s1}://${host}`).origin);
      }),
      { numRuns: 2000 },
    );
  });

  test("property: no Origin string is accepted unless it is exactly this request's origin", () => {
    fc.assert(
      fc.property(fc.string(), (origin) => {
        const allowed = checkRequestOrigin(
          input({ protocol: "https", host: "lull.example", headers: { origin } }),
        ).allowed;
        if (allowed) expect(new URL(origin).origin).toBe("https://lull.example");
      }),
      { numRuns: 2000 },
    );
  });
});
