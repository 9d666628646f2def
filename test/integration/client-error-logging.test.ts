/**
 * Anonymous clients cannot flood the log (ADR 0019): a 405 or a POST that is
 * not a form is the client's mistake, logged as one line, at most ten a
 * minute for each kind; only unexpected errors are logged with their stack.
 * Requests go through Express, the form-body guard and Remix's request
 * handler as server.ts composes them, with the app's handleError, on a small
 * build of three resource routes.
 */
import type { AddressInfo } from "node:net";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { handleError } from "#app/entry.server.tsx";
import { formBodiesOnly } from "#app/utils/form-body.server.ts";
import { legacyDataRequestsRefused } from "#app/utils/legacy-data.server.ts";

const build = {
  mode: "production",
  entry: { module: { default: () => new Response(null), handleError } },
  routes: {
    root: { id: "root", path: "", module: {} },
    // A page's action reads its form, as every Lull action does.
    "routes/form": {
      id: "routes/form",
      parentId: "root",
      path: "form",
      module: {
        action: async ({ request }: { request: Request }) =>
          Response.json({ fields: [...(await request.formData()).keys()] }),
      },
    },
    // No action: a POST here is a 405.
    "routes/read-only": {
      id: "routes/read-only",
      parentId: "root",
      path: "read-only",
      module: { loader: () => new Response("ok") },
    },
    "routes/broken": {
      id: "routes/broken",
      parentId: "root",
      path: "broken",
      module: {
        loader: () => {
          throw new Error("a bug in Lull");
        },
      },
    },
  },
  assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "test" },
  publicPath: "/build/",
  assetsBuildDirectory: "build/client",
  future: { v3_singleFetch: true },
  isSpaMode: false,
} as unknown as ServerBuild;

let base = "";
let close = () => {};

beforeAll(async () => {
  const app = express();
  app.use(legacyDataRequestsRefused);
  app.use(formBodiesOnly);
  app.all("*", createRequestHandler({ build, mode: "production" }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

/** Console output during `work`: each call's text, and whether any printed a stack trace. */
async function logged(work: () => Promise<void>) {
  const lines: string[] = [];
  const record = (...args: unknown[]) =>
    lines.push(
      args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" "),
    );
  const warn = vi.spyOn(console, "warn").mockImplementation(record);
  const error = vi.spyOn(console, "error").mockImplementation(record);
  await work();
  return { lines, warns: warn.mock.calls.length, errors: error.mock.calls.length };
}

const post = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { method: "POST", ...init });

describe("client errors in the log", () => {
  test("a form POST is answered as before", async () => {
    const res = await post("/form", { body: new URLSearchParams({ name: "Wren" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ fields: ["name"] });
  });

  test("200 POSTs to a route without an action: 405 each, ten one-line log entries, no stack", async () => {
    const { lines, warns, errors } = await logged(async () => {
      for (let i = 0; i < 200; i++) {
        expect(
          (await post("/read-only", { body: new URLSearchParams({ i: `${i}` }) })).status,
        ).toBe(405);
      }
    });
    expect(errors).toBe(0);
    expect(warns).toBe(10);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
    expect(lines[0]).toBe("client error 405: POST /read-only");
  });

  test("200 JSON POSTs to a page: 415 each (not 500), ten one-line log entries, no stack", async () => {
    const { lines, warns, errors } = await logged(async () => {
      for (let i = 0; i < 200; i++) {
        const res = await post("/form", {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ i }),
        });
        expect(res.status).toBe(415);
      }
    });
    expect(errors).toBe(0);
    expect(warns).toBe(10);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
    expect(lines[0]).toBe(
      "client error 415 not a form: POST /form with Content-Type application/json",
    );
  });

  test("Remix's old ?_data= requests: 400 before Remix (its code path for them could crash), one line", async () => {
    const { lines, errors } = await logged(async () => {
      const res = await post("/form?_data=routes%2Fform", {
        body: new URLSearchParams({ name: "Wren" }),
      });
      expect(res.status).toBe(400);
      expect((await fetch(`${base}/read-only?_data=root`)).status).toBe(400);
    });
    expect(errors).toBe(0);
    expect(lines[0]).toBe("client error 400 _data: POST /form");
  });

  test("an unexpected error is still logged, with its stack", async () => {
    const { lines, errors } = await logged(async () => {
      expect((await fetch(`${base}/broken`)).status).toBe(500);
    });
    expect(errors).toBe(1);
    expect(lines[0]).toMatch(/Error: a bug in Lull\n\s+at /);
  });
});
