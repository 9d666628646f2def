import { gunzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import type { AgentEvent } from "../app/agent-protocol/v1.ts";
import { DeviceRevokedError } from "./api.ts";
import { newBatch } from "./outbox.ts";
import { encodeBatchBody, GZIP_THRESHOLD_BYTES, uploadBatch } from "./upload.ts";

const event: AgentEvent = {
  type: "click",
  at: "2026-11-27T09:00:00.000Z",
  app: "Firefox",
  data: { button: "left" },
};

function fakeFetch(response: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return response();
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const upload = (fetchImpl: typeof fetch, events: AgentEvent[] = [event]) =>
  uploadBatch({
    server: "http://lull.test",
    token: "t0k3n",
    batch: newBatch(events, new Date()),
    signal: new AbortController().signal,
    fetchImpl,
  });

describe("upload", () => {
  test("small bodies go as plain JSON, larger ones gzipped with Content-Encoding", async () => {
    const small = await encodeBatchBody(newBatch([event], new Date()));
    expect(small.headers["content-encoding"]).toBeUndefined();
    const many = newBatch(
      Array.from({ length: 50 }, () => event),
      new Date(),
    );
    const large = await encodeBatchBody(many);
    expect(large.rawBytes).toBeGreaterThan(GZIP_THRESHOLD_BYTES);
    expect(large.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(large.body).toString("utf8"))).toEqual({
      batchId: many.batchId,
      events: many.events,
    });
  });

  test("200 with the batch's result: uploaded; the request carries the bearer token", async () => {
    let batchId = "";
    const { fetchImpl, calls } = fakeFetch(() =>
      Response.json({
        batchId,
        stored: 1,
        discardedPaused: 0,
        discardedExempt: 0,
        rejectedFuture: 0,
        duplicate: false,
      }),
    );
    const batch = newBatch([event], new Date());
    batchId = batch.batchId;
    const outcome = await uploadBatch({
      server: "http://lull.test",
      token: "t0k3n",
      batch,
      signal: new AbortController().signal,
      fetchImpl,
    });
    expect(outcome).toMatchObject({ kind: "uploaded", result: { stored: 1, duplicate: false } });
    expect(calls[0]!.url).toBe("http://lull.test/api/agent/v1/events");
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe("Bearer t0k3n");
  });

  test("400 and 413 are final: rejected with the server's reason", async () => {
    const bad = fakeFetch(() =>
      Response.json(
        {
          error: {
            code: "invalid_request",
            message: "The batch is not valid.",
            issues: [{ path: "events.0.at", message: "Use ISO" }],
          },
        },
        { status: 400 },
      ),
    );
    expect(await upload(bad.fetchImpl)).toEqual({
      kind: "rejected",
      status: 400,
      reason: "The batch is not valid. (events.0.at: Use ISO)",
    });
    const big = fakeFetch(() =>
      Response.json({ error: { code: "payload_too_large", message: "Too big." } }, { status: 413 }),
    );
    expect(await upload(big.fetchImpl)).toMatchObject({ kind: "rejected", status: 413 });
  });

  test("429 and 5xx are kept for later, with the Retry-After", async () => {
    const limited = fakeFetch(
      () =>
        new Response(JSON.stringify({ error: { code: "rate_limited", message: "Slow down." } }), {
          status: 429,
          headers: { "retry-after": "7" },
        }),
    );
    expect(await upload(limited.fetchImpl)).toMatchObject({
      kind: "retry",
      retryAfterMs: 7000,
      network: false,
    });
    const down = fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    expect(await upload(down.fetchImpl)).toMatchObject({ kind: "retry", network: false });
  });

  test("a network error is kept for later", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    expect(await upload(fetchImpl)).toMatchObject({ kind: "retry", network: true });
  });

  test("a 200 that is not this batch's result is kept, not deleted", async () => {
    const { fetchImpl } = fakeFetch(() => Response.json({ ok: true }));
    expect(await upload(fetchImpl)).toMatchObject({ kind: "retry" });
  });

  test("401 means revoked: it throws instead of retrying", async () => {
    const { fetchImpl } = fakeFetch(() =>
      Response.json({ error: { code: "unauthorized", message: "Revoked." } }, { status: 401 }),
    );
    await expect(upload(fetchImpl)).rejects.toBeInstanceOf(DeviceRevokedError);
  });

  test("415 on gzip: sent again uncompressed", async () => {
    let calls = 0;
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      calls += 1;
      const headers = init.headers as Record<string, string>;
      if (headers["content-encoding"] === "gzip") {
        return Response.json(
          { error: { code: "unsupported_encoding", message: "No gzip." } },
          { status: 415 },
        );
      }
      const body = JSON.parse(Buffer.from(init.body as Uint8Array).toString("utf8")) as {
        batchId: string;
      };
      return Response.json({
        batchId: body.batchId,
        stored: 50,
        discardedPaused: 0,
        discardedExempt: 0,
        rejectedFuture: 0,
        duplicate: false,
      });
    }) as typeof fetch;
    const outcome = await upload(
      fetchImpl,
      Array.from({ length: 50 }, () => event),
    );
    expect(outcome).toMatchObject({ kind: "uploaded" });
    expect(calls).toBe(2);
  });
});
