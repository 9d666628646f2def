/**
 * A SCIM client for tests: requests through Remix's real handler over the
 * app's routes (test/remix-handler.ts), behind the server's origin and
 * forms-only checks (server.ts), with a token made as the Identity page does.
 */
import { createScimToken } from "#app/models/scim-token.server.ts";
import { isFormBodyRequired, isFormContentType } from "#app/utils/form-body.server.ts";
import { checkRequestOrigin } from "#app/utils/request-origin.server.ts";
import { createUser } from "./fixtures.ts";
import { remixHandler } from "./remix-handler.ts";
import { asTestRoutes, loadRouteFiles } from "./route-files.ts";

export const BASE = "http://127.0.0.1:3000";

export type Answer = { status: number; headers: Headers; body: Record<string, unknown> | null };

let handler: ((request: Request) => Promise<Response>) | null = null;

export async function appHandler() {
  handler ??= remixHandler(asTestRoutes(await loadRouteFiles()));
  const handle = handler;
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const header = (name: string) => request.headers.get(name) ?? undefined;
    const verdict = checkRequestOrigin({
      method: request.method,
      protocol: "http",
      host: url.host,
      path: url.pathname,
      headers: {
        origin: header("Origin"),
        secFetchSite: header("Sec-Fetch-Site"),
        authorization: header("Authorization"),
      },
    });
    if (!verdict.allowed) return new Response(verdict.reason, { status: 403 });
    if (
      isFormBodyRequired(request.method, url.pathname) &&
      !isFormContentType(header("Content-Type"))
    ) {
      return new Response("Pages take forms.", { status: 415 });
    }
    return handle(request);
  };
}

export async function makeScimToken() {
  const admin = await createUser({ role: "ADMIN" });
  return createScimToken({ actorId: admin.id, name: "Test directory", now: new Date() });
}

export async function scim(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const handle = await appHandler();
  const init: RequestInit = {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "Content-Type": "application/scim+json" } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  };
  const res = await handle(new Request(`${BASE}/scim/v2${path}`, init));
  const text = await res.text();
  let parsed: Record<string, unknown> | null = null;
  if (text) {
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { raw: text };
    }
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
