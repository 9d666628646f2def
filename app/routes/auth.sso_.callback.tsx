import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { SsoFailureCard } from "#app/components/sso-failure.tsx";
import { requireAnonymous } from "#app/web/auth.server.ts";
import { finishSsoSignIn } from "#app/web/sso.server.ts";

export const meta: MetaFunction = () => [{ title: "Single sign-on · Lull" }];

/**
 * The provider sends the browser back here (the redirect URI). A good
 * answer starts the session and goes on; anything else is a page saying
 * what went wrong, with its status (400, 401, 403, 502), audited.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  const finished = await finishSsoSignIn(request, {
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent"),
  });
  const headers = new Headers();
  for (const cookie of finished.setCookies) headers.append("Set-Cookie", cookie);
  if (finished.ok) throw redirect(finished.redirectTo, { headers });
  const { title, message, status } = finished.page;
  return data({ title, message }, { status, headers });
}

export default function SsoCallback() {
  const { title, message } = useLoaderData<typeof loader>();
  return <SsoFailureCard title={title} message={message} />;
}
