import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { PasswordSignInForm } from "#app/components/password-sign-in-form.tsx";
import { Button } from "#app/components/ui/button.tsx";
import { requireAnonymous } from "#app/web/auth.server.ts";
import { passwordSignInAction, signInOptions } from "#app/web/password-sign-in.server.ts";
import { keepRetryAfter } from "#app/web/retry-after-headers.ts";

export const meta: MetaFunction = () => [{ title: "Sign in · Lull" }];

/** The throttle's Retry-After reaches the browser. */
export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  return signInOptions();
}

/** The password form. With password sign-in off, refused for all but the break-glass admins. */
export async function action({ request, context }: ActionFunctionArgs) {
  return passwordSignInAction(request, context.clientIp);
}

export default function LoginPage() {
  const { sso, passwordForm } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get("redirectTo") ?? "";

  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Sign in to Lull</h1>
      <p className="mt-2 text-ink-muted">
        See what is collected about you, and pause tracking when you need to.
      </p>
      {sso ? (
        // A real form post: the answer is a redirect to the provider, which the browser follows.
        <Form method="post" action="/auth/sso" reloadDocument className="mt-8">
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <Button type="submit" className="w-full">
            Sign in with {sso.providerName}
          </Button>
        </Form>
      ) : null}
      {passwordForm ? (
        <>
          {sso ? (
            <p className="mt-6 text-center text-sm text-ink-muted">or with your Lull password</p>
          ) : null}
          <div className={sso ? "mt-4" : "mt-8"}>
            <PasswordSignInForm lastResult={lastResult} redirectTo={redirectTo} autoFocus={!sso} />
          </div>
        </>
      ) : (
        <p className="mt-8 text-center text-sm">
          <Link
            to={`/login/password${redirectTo ? `?${new URLSearchParams({ redirectTo })}` : ""}`}
            className="text-ink-muted underline"
          >
            Administrator sign-in
          </Link>
        </p>
      )}
    </div>
  );
}
