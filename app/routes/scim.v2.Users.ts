import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { usersAction, usersLoader } from "#app/web/scim-endpoints.server.ts";

/** GET /scim/v2/Users (list, filter, paging) and POST (create), RFC 7644; docs/scim.md. */
export const loader = (args: LoaderFunctionArgs) => usersLoader(args);
export const action = (args: ActionFunctionArgs) => usersAction(args);
