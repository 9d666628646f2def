/**
 * Issue 16, item 9: the exemption form, as the server renders it, has valid
 * defaults, discloses only what applies, and says in words what would stop,
 * for the first render and for a refused submission without JavaScript.
 */
import { describe, expect, test } from "vitest";
import * as exemptionsNew from "#app/routes/exemptions.new.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { serveFetch } from "#test/http-route-server.ts";
import { remixHandler } from "#test/remix-handler.ts";

const handle = remixHandler([
  { id: "routes/exemptions.new", path: "exemptions/new", module: exemptionsNew },
]);

function valueOf(html: string, name: string): string | undefined {
  return new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
}

describe("the exemption request form", () => {
  test("first render: a start before the end, and a summary of what would stop", async () => {
    const worker = await createUser({ timezone: "Europe/Berlin" });
    const cookie = await sessionCookieFor(worker.id);
    const res = await handle(
      new Request("http://127.0.0.1/exemptions/new", { headers: { Cookie: cookie } }),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const start = `${valueOf(html, "startDate")}T${valueOf(html, "startTime")}`;
    const end = `${valueOf(html, "endDate")}T${valueOf(html, "endTime")}`;
    expect(start < end).toBe(true);
    expect(html).toMatch(
      /data-testid="exemption-summary"[^>]*>If approved, from \w{3} \d+ \w{3}, \d\d:\d\d until \w{3} \d+ \w{3}, \d\d:\d\d \(Europe\/Berlin\), your agents collect nothing\.</,
    );
    // What applies only to "some kinds" or "every week" is disclosed by CSS, and never disabled
    // in what the server sends (without JavaScript nothing could enable it again).
    for (const part of ["scope-types", "weekly-window"]) {
      const tag = new RegExp(`<fieldset[^>]*data-testid="${part}"[^>]*>`).exec(html)![0];
      expect(tag).toContain("lull-revealed");
      expect(tag).not.toContain("disabled");
    }
    for (const choice of ["types", "weekly"]) {
      const input = new RegExp(`<input[^>]*value="${choice}"[^>]*>`).exec(html)![0];
      expect(input).toContain('data-reveals=""');
    }
  });

  test("a refused submission keeps the worker's choices and summarises them", async () => {
    const worker = await createUser({ timezone: "Asia/Kolkata" });
    const cookie = await sessionCookieFor(worker.id);
    const body = new URLSearchParams([
      ["reason", ""],
      ["justification", "short"],
      ["scope", "types"],
      ["scopeTypes", "keystroke"],
      ["startDate", "2030-03-04"],
      ["startTime", "09:00"],
      ["endDate", "2030-03-25"],
      ["endTime", "17:00"],
      ["repeat", "weekly"],
      ["days", "1"],
      ["fromTime", "12:00"],
      ["toTime", "13:00"],
    ]);
    const before = await prisma.exemptionRequest.count();
    // Over HTTP, as a browser without JavaScript posts it (Remix checks the Host of a POST).
    const server = await serveFetch(handle);
    let html: string;
    try {
      const res = await fetch(`${server.url}/exemptions/new`, {
        method: "POST",
        headers: {
          Cookie: cookie,
          "Content-Type": "application/x-www-form-urlencoded",
          Origin: server.url,
        },
        body,
      });
      expect(res.status).toBe(400);
      html = await res.text();
    } finally {
      await server.close();
    }
    expect(await prisma.exemptionRequest.count()).toBe(before);
    expect(html).toContain("Choose a reason.");
    expect(html).toContain(
      "If approved, on Mondays from 12:00 to 13:00 (Asia/Kolkata), between Mon 4 Mar, 09:00 and Mon 25 Mar, 17:00, your agents stop collecting keystrokes; everything else is collected as usual.",
    );
  });
});
