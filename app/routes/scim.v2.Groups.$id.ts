import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { groupAction, groupLoader } from "#app/web/scim-endpoints.server.ts";

/** GET, PUT, PATCH and DELETE /scim/v2/Groups/:id, RFC 7644; docs/scim.md. */
export const loader = (args: LoaderFunctionArgs) => groupLoader(args);
export const action = (args: ActionFunctionArgs) => groupAction(args);
