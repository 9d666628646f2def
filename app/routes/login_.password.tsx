import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData, useSearchParams } from "@remix-run/react";
import { PasswordSignInForm } from "#app/components/password-sign-in-form.tsx";
import { requireAnonymous } from "#app/web/auth.server.ts";
import { passwordSignInAction, signInOptions } from "#app/web/password-sign-in.server.ts";
import { keepRetryAfter } from "#app/web/retry-after-headers.ts";

export const meta: MetaFunction = () => [{ title: "Administrator sign-in · Lull" }];

export const headers = keepRetryAfter;

/**
 * The break-glass admins' way in while password sign-in is off for everyone
 * else (ADR 0039); while passwords are on, the sign-in page has the form.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  const { passwordForm } = await signInOptions();
  if (passwordForm) {
    const search = new URL(request.url).search;
    throw redirect(`/login${search}`);
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  return passwordSignInAction(request, context.clientIp);
}

export default function BreakGlassSignIn() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-3xl font-bold tracking-tight">Administrator sign-in</h1>
      <p className="mt-2 text-ink-muted">
        Password sign-in is kept only for the administrators named as break-glass accounts, for when
        single sign-on is down. Everyone else signs in with their company account.
      </p>
      <div className="mt-8">
        <PasswordSignInForm
          lastResult={lastResult}
          redirectTo={searchParams.get("redirectTo") ?? ""}
          autoFocus
        />
      </div>
    </div>
  );
}
