import { data, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { SsoFailureCard } from "#app/components/sso-failure.tsx";
import { requireAnonymous } from "#app/web/auth.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { beginSsoSignIn } from "#app/web/sso.server.ts";

export const meta: MetaFunction = () => [{ title: "Single sign-on · Lull" }];

/** The sign-in page's "Sign in with …" form posts here; there is nothing to see by itself. */
export async function loader() {
  return redirect("/login");
}

/** Sends the browser to the company's provider, or shows why it cannot (audited). */
export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(request);
  const form = await readForm(request);
  const started = await beginSsoSignIn(request, form.get("redirectTo"), {
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent"),
  });
  if (!started.ok) {
    const { title, message, status } = started.page;
    return data({ title, message }, { status });
  }
  throw redirect(started.location, { headers: { "Set-Cookie": started.setCookie } });
}

export default function SsoStartFailed() {
  const failure = useActionData<typeof action>();
  return (
    <SsoFailureCard
      title={failure?.title ?? "Single sign-on failed"}
      message={failure?.message ?? "Start again from the sign-in page."}
    />
  );
}
