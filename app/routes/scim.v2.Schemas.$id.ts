import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { discoveryLoader, readOnlyAction } from "#app/web/scim-endpoints.server.ts";

/** GET /scim/v2/Schemas/:id (RFC 7644 §4); docs/scim.md. */
export const loader = (args: LoaderFunctionArgs) => discoveryLoader("Schemas", args);
export const action = (args: ActionFunctionArgs) => readOnlyAction(args);
