import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "#app/web/auth.server.ts";

/** Signing out is a POST (a link could be followed by a prefetcher). */
export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const setCookie = await signOut(request);
  return redirect("/login", { headers: { "Set-Cookie": setCookie } });
}
