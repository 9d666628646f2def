/**
 * Issue 15 (low): a page the server cannot render in time is answered 503
 * with Retry-After (the request was fine; the server was busy), never a 500
 * with an error page, for crawlers (which wait for the whole document) and
 * browsers (which wait for its shell) alike.
 */
import { Suspense } from "react";
import { describe, expect, test } from "vitest";
import * as entryServer from "#app/entry.server.tsx";
import { RENDER_RETRY_AFTER_SECONDS, renderDocument } from "#app/entry.server.tsx";
import { remixHandler } from "#test/remix-handler.ts";
import { TEST_CONTEXT } from "#test/route-harness.ts";

const never = new Promise<never>(() => {});

function Stuck(): null {
  throw never;
}

/** A page whose rendering never finishes (it suspends on a promise that never settles). */
const stuckPage = { default: Stuck };

/** A page whose shell renders, with a part inside a Suspense boundary that never does. */
const partlyStuckPage = {
  default: () => (
    <Suspense fallback={<p>Loading…</p>}>
      <Stuck />
    </Suspense>
  ),
};
const finePage = { default: () => "fine" };

// The same renderer as production, giving up after 50 ms instead of 6 s.
const handle = remixHandler(
  [
    { id: "routes/stuck", path: "stuck", module: stuckPage },
    { id: "routes/fine", path: "fine", module: finePage },
    { id: "routes/partly-stuck", path: "partly-stuck", module: partlyStuckPage },
  ],
  TEST_CONTEXT,
  {
    ...entryServer,
    default: (request, status, headers, context, load) =>
      renderDocument(request, status, headers, context, load, 50),
  },
);

const USER_AGENTS = {
  crawler: "Googlebot/2.1 (+http://www.google.com/bot.html)",
  script: "curl/8.5.0",
  browser:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
};

describe("a page that cannot be rendered in time", () => {
  for (const [who, userAgent] of Object.entries(USER_AGENTS)) {
    test(`${who}: 503 with Retry-After, a plain sentence, not cached`, async () => {
      const res = await handle(
        new Request("http://127.0.0.1/stuck", { headers: { "User-Agent": userAgent } }),
      );
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe(String(RENDER_RETRY_AFTER_SECONDS));
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(await res.text()).toMatch(/busy/);
    });
  }

  test("a crawler waiting for the whole page gets 503; a browser gets the streamed shell", async () => {
    const crawler = await handle(
      new Request("http://127.0.0.1/partly-stuck", {
        headers: { "User-Agent": USER_AGENTS.crawler },
      }),
    );
    expect(crawler.status).toBe(503);
    expect(crawler.headers.get("Retry-After")).toBe(String(RENDER_RETRY_AFTER_SECONDS));
    const browser = await handle(
      new Request("http://127.0.0.1/partly-stuck", {
        headers: { "User-Agent": USER_AGENTS.browser },
      }),
    );
    expect(browser.status).toBe(200);
    expect(await browser.text()).toContain("Loading…");
  });

  test("a page rendered in time is unaffected", async () => {
    const res = await handle(
      new Request("http://127.0.0.1/fine", { headers: { "User-Agent": USER_AGENTS.crawler } }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("fine");
  });
});
