import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { groupsAction, groupsLoader } from "#app/web/scim-endpoints.server.ts";

/** GET /scim/v2/Groups (list, filter, paging) and POST (create), RFC 7644; docs/scim.md. */
export const loader = (args: LoaderFunctionArgs) => groupsLoader(args);
export const action = (args: ActionFunctionArgs) => groupsAction(args);
