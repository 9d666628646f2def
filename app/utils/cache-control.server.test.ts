import { describe, expect, test } from "vitest";
import { defaultToNoStore, withNoStoreDefault } from "./cache-control.server.ts";

describe("no-store by default", () => {
  test("headers without a Cache-Control get no-store; one set by a route stays", () => {
    expect(defaultToNoStore(new Headers()).get("Cache-Control")).toBe("no-store");
    const own = new Headers({ "Cache-Control": "public, max-age=60" });
    expect(defaultToNoStore(own).get("Cache-Control")).toBe("public, max-age=60");
  });

  test("a response keeps its status, headers and body, even with immutable headers", async () => {
    const redirect = Response.redirect("http://127.0.0.1/pauses", 303); // immutable headers
    const answered = withNoStoreDefault(redirect);
    expect(answered.status).toBe(303);
    expect(answered.headers.get("Location")).toBe("http://127.0.0.1/pauses");
    expect(answered.headers.get("Cache-Control")).toBe("no-store");

    const body = withNoStoreDefault(
      new Response("hello", { status: 202, headers: { "X-A": "1" } }),
    );
    expect(await body.text()).toBe("hello");
    expect(body.headers.get("X-A")).toBe("1");

    const cached = new Response("x", { headers: { "Cache-Control": "max-age=5" } });
    expect(withNoStoreDefault(cached)).toBe(cached);
  });
});
