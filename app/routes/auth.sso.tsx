import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { SsoFailureCard } from "#app/components/sso-failure.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { getEnv } from "#app/utils/env.server.ts";
import { requireAnonymous } from "#app/web/auth.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import { beginSsoSignIn, failurePage } from "#app/web/sso.server.ts";

export const meta: MetaFunction = () => [{ title: "Single sign-on · Lull" }];

/**
 * The sign-in page's "Sign in with …" form posts here. Opened by itself, the
 * page offers the same button (a GET starts nothing), or says single sign-on
 * is not set up.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  const oidc = getEnv().oidc;
  if (oidc) return { providerName: oidc.providerName, notConfigured: null };
  const { title, message, status } = failurePage("not_configured", "");
  return data({ providerName: null, notConfigured: { title, message } }, { status });
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

export default function SsoStart() {
  const { providerName, notConfigured } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() ?? notConfigured;
  if (failure) return <SsoFailureCard title={failure.title} message={failure.message} />;
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-3xl font-bold tracking-tight">Sign in to Lull</h1>
      <Form method="post" reloadDocument>
        <Button type="submit" className="w-full">
          Sign in with {providerName}
        </Button>
      </Form>
    </div>
  );
}
