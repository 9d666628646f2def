import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { userAction, userLoader } from "#app/web/scim-endpoints.server.ts";

/** GET, PUT, PATCH and DELETE /scim/v2/Users/:id, RFC 7644; docs/scim.md. */
export const loader = (args: LoaderFunctionArgs) => userLoader(args);
export const action = (args: ActionFunctionArgs) => userAction(args);
