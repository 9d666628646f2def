import { buildOpenApiDocument } from "#app/agent-protocol/openapi.ts";

let cached: string | undefined;

/** GET /api/agent/v1/openapi.json: the protocol, generated from its Zod schemas. */
export async function loader() {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return new Response(cached, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    },
  });
}
