import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "#app/web/auth.server.ts";
import { clearSsoLogoutCookie, signOutDestination } from "#app/web/sso.server.ts";

/** Signing out is a POST (a link could be followed by a prefetcher). */
export async function loader() {
  return redirect("/");
}

/**
 * Ends the Lull session; after a single sign-on, also at the provider
 * (RP-initiated logout), which sends the browser back to /login.
 */
export async function action({ request }: ActionFunctionArgs) {
  const destination = await signOutDestination(request);
  const headers = new Headers();
  headers.append("Set-Cookie", await signOut(request));
  headers.append("Set-Cookie", await clearSsoLogoutCookie());
  return redirect(destination, { headers });
}
