import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { unknownEndpoint } from "#app/web/scim-endpoints.server.ts";

/** Any other path under /scim/v2: a SCIM 404, not a page. */
export const loader = (args: LoaderFunctionArgs) => unknownEndpoint(args);
export const action = (args: ActionFunctionArgs) => unknownEndpoint(args);
