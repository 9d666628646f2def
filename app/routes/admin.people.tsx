import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "#app/web/auth.server.ts";

/** The directory moved to /admin/users; old bookmarks keep working. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["ADMIN"]);
  const url = new URL(request.url);
  return redirect(`/admin/users${url.search}`, 301);
}
