/**
 * The password form's POST, shared by the sign-in page and the break-glass
 * admins' page (/login/password): parse, sign in (the throttle, the
 * password policy, the password), and go on or re-render with the refusal.
 */
import { parseWithZod } from "@conform-to/zod";
import { data, redirect } from "@remix-run/node";
import { safeRedirect } from "#app/domain/safe-redirect.ts";
import { SignInSchema } from "#app/domain/sign-in.ts";
import { getIdentitySettings } from "#app/models/directory.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { signIn } from "./auth.server.ts";
import { refusalErrors, refusalStatus } from "./refusal-response.server.ts";
import { readForm } from "./request-body.server.ts";
import { clearSsoLogoutCookie } from "./sso.server.ts";

export async function passwordSignInAction(request: Request, clientIp: string) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: SignInSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const result = await signIn({
    email: submission.value.email,
    password: submission.value.password,
    ip: clientIp,
    userAgent: request.headers.get("user-agent"),
  });
  if (!result.ok) {
    // The page's action data is the bare reply.
    return data(submission.reply({ ...refusalErrors(result.refusal), hideFields: ["password"] }), {
      status: refusalStatus(result.refusal),
      headers: result.retryAfterSeconds
        ? { "Retry-After": String(result.retryAfterSeconds) }
        : undefined,
    });
  }
  const next = safeRedirect(submission.value.redirectTo);
  const headers = new Headers({ "Set-Cookie": result.setCookie });
  // A session by password is not one the provider knows of: signing out stays in Lull.
  if (getEnv().oidc) headers.append("Set-Cookie", await clearSsoLogoutCookie());
  if (result.secondFactorPending) {
    const search = next === "/" ? "" : `?${new URLSearchParams({ redirectTo: next })}`;
    throw redirect(`/login/two-factor${search}`, { headers });
  }
  throw redirect(next, { headers });
}

/** What the sign-in page offers: the provider's button (if any) and whether the password form shows. */
export async function signInOptions() {
  const oidc = getEnv().oidc;
  if (!oidc) return { sso: null, passwordForm: true };
  const settings = await getIdentitySettings();
  return {
    sso: { providerName: oidc.providerName },
    passwordForm: settings.passwordSignIn === "EVERYONE",
  };
}
