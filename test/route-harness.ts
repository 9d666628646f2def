/**
 * Calls a route's loader or action the way Remix does, and reads back what
 * it answered, whether it returned `data(…)`, returned a Response, or threw one.
 */
import type { LullLoadContext } from "#app/load-context.ts";

type RouteFn = (args: {
  request: Request;
  params: Record<string, string>;
  context: LullLoadContext;
}) => unknown;

export type RouteOutcome = {
  status: number;
  headers: Headers;
  data: unknown;
  thrown: boolean;
};

export const TEST_CONTEXT: LullLoadContext = { cspNonce: "test-nonce", clientIp: "192.0.2.10" };

export async function callRoute(
  fn: RouteFn,
  request: Request,
  {
    params = {},
    context = TEST_CONTEXT,
  }: { params?: Record<string, string>; context?: LullLoadContext } = {},
): Promise<RouteOutcome> {
  let result: unknown;
  let thrown = false;
  try {
    result = await fn({ request, params, context });
  } catch (error) {
    if (!(error instanceof Response)) throw error;
    result = error;
    thrown = true;
  }
  if (result instanceof Response) {
    const text = await result.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // plain text body
    }
    return { status: result.status, headers: result.headers, data, thrown };
  }
  if (isDataWithInit(result)) {
    return {
      status: result.init?.status ?? 200,
      headers: new Headers(result.init?.headers),
      data: result.data,
      thrown,
    };
  }
  return { status: 200, headers: new Headers(), data: result, thrown };
}

function isDataWithInit(
  value: unknown,
): value is { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "DataWithResponseInit"
  );
}

export function formRequest(
  url: string,
  fields: Record<string, string>,
  { cookie, headers = {} }: { cookie?: string; headers?: Record<string, string> } = {},
): Request {
  return new Request(new URL(url, "http://127.0.0.1"), {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
      ...headers,
    },
  });
}

export function getRequest(url: string, { cookie }: { cookie?: string } = {}): Request {
  return new Request(new URL(url, "http://127.0.0.1"), {
    headers: cookie ? { Cookie: cookie } : {},
  });
}
