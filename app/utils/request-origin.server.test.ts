import { describe, expect, test } from "vitest";
import { checkRequestOrigin, type OriginCheckInput } from "./request-origin.server.ts";

function input(overrides: Partial<OriginCheckInput> & { headers?: OriginCheckInput["headers"] }) {
  return { method: "POST", host: "127.0.0.1:3000", path: "/login", headers: {}, ...overrides };
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

  test("non-browser clients without either header are allowed", () => {
    expect(checkRequestOrigin(input({ headers: {} })).allowed).toBe(true);
  });
});
