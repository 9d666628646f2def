/**
 * Single sign-on in the browser (ADR 0039). Starting: a fresh state, nonce
 * and PKCE verifier; the attempt is stored (state hashed) and the state is
 * also put in a short-lived signed cookie, which binds the sign-in to this
 * browser. Coming back: the cookie's state must be the query's, the attempt
 * is taken once, the code is exchanged and the ID token checked, and the
 * account found; then the same session as after a password. Every failure
 * is audited (`auth.sso_failed`, with its reason) and shown as a page that
 * says what happened, never as a 500.
 */
import { createCookie } from "@remix-run/node";
import { z } from "zod";
import { runCommand } from "#app/commands/command.server.ts";
import { safeRedirect } from "#app/domain/safe-redirect.ts";
import { SESSION_ABSOLUTE_MS } from "#app/utils/session.server.ts";
import {
  createSsoAttempt,
  recordSsoFailure,
  takeSsoAttempt,
  SSO_ATTEMPT_TTL_MS,
} from "#app/models/sso.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import {
  SsoFailure,
  classify,
  completeAuthorization,
  endSessionUrl,
  startAuthorization,
  type OidcSettings,
  type SsoFailureReason,
} from "#app/utils/oidc.server.ts";
import { signInWithSso } from "./auth.server.ts";

type Client = { ip: string; userAgent: string | null };

function cookieName(name: string): string {
  return getEnv().isProduction ? `__Host-${name}` : name;
}

let stateCookie: ReturnType<typeof createCookie> | undefined;
/** The state of the sign-in this browser started: SameSite=Lax, so the provider's redirect back carries it. */
function ssoStateCookie() {
  if (!stateCookie) {
    const env = getEnv();
    stateCookie = createCookie(cookieName("lull_sso_state"), {
      httpOnly: true,
      sameSite: "lax",
      secure: env.isProduction,
      path: "/",
      secrets: env.sessionSecrets,
      maxAge: SSO_ATTEMPT_TTL_MS / 1000,
    });
  }
  return stateCookie;
}

let logoutCookie: ReturnType<typeof createCookie> | undefined;
/**
 * Set at a single sign-on, so that signing out also signs out at the
 * provider (RP-initiated logout); holds the ID token as the hint when it fits.
 */
function ssoLogoutCookie() {
  if (!logoutCookie) {
    const env = getEnv();
    logoutCookie = createCookie(cookieName("lull_sso"), {
      httpOnly: true,
      sameSite: "lax",
      secure: env.isProduction,
      path: "/",
      secrets: env.sessionSecrets,
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
  }
  return logoutCookie;
}

/** Browsers keep cookies up to about 4 KB; a bigger ID token is left out of the hint. */
const MAX_COOKIE_BYTES = 3800;

async function serializeLogoutCookie(idToken: string): Promise<string> {
  const withHint = await ssoLogoutCookie().serialize({ idToken });
  return withHint.length <= MAX_COOKIE_BYTES
    ? withHint
    : ssoLogoutCookie().serialize({ idToken: null });
}

export function clearSsoLogoutCookie(): Promise<string> {
  return ssoLogoutCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

function clearStateCookie(): Promise<string> {
  return ssoStateCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/** Where the provider sends the browser back: registered at the provider as the redirect URI. */
export function ssoRedirectUri(request: Request): string {
  return `${publicOrigin(request)}/auth/sso/callback`;
}

function publicOrigin(request: Request): string {
  return (getEnv().PUBLIC_URL ?? new URL(request.url).origin).replace(/\/+$/, "");
}

export type SsoFailurePage = {
  reason: SsoFailureReason | "already_linked";
  status: number;
  title: string;
  message: string;
};

/** What a person reads for each failure, and the status it is served with. */
export function failurePage(reason: string, providerName: string): SsoFailurePage {
  const page = (status: number, title: string, message: string): SsoFailurePage => ({
    reason: reason as SsoFailurePage["reason"],
    status,
    title,
    message,
  });
  switch (reason) {
    case "not_configured":
      return page(
        404,
        "Single sign-on is not set up",
        "This Lull has no company sign-in. Sign in with your email and password.",
      );
    case "provider_unavailable":
      return page(
        502,
        "We could not reach your sign-in provider",
        `Lull could not talk to ${providerName}. It may be down for a moment: try again in a few minutes. If it keeps happening, tell your administrator.`,
      );
    case "provider_error":
      return page(
        401,
        "Your provider did not sign you in",
        `${providerName} sent you back without signing you in (you may have cancelled). Try again; if it keeps happening, tell your administrator.`,
      );
    case "wrong_state":
      return page(
        400,
        "This sign-in did not start here",
        "The answer from your provider does not belong to a sign-in started in this browser, so Lull refused it. Start again from the sign-in page.",
      );
    case "expired":
      return page(
        400,
        "This sign-in took too long",
        "A sign-in must be finished within 10 minutes. Start again from the sign-in page.",
      );
    case "already_used":
      return page(
        400,
        "This sign-in was already used",
        "The answer from your provider can be used only once, and it already was. Start again from the sign-in page.",
      );
    case "wrong_audience":
      return page(
        401,
        "The sign-in was meant for another application",
        `${providerName} answered with a token for another application, so Lull refused it. Tell your administrator: Lull's client ID may be set up wrongly.`,
      );
    case "token_expired":
      return page(
        401,
        "The sign-in had expired",
        `${providerName} answered with a token that had already expired, so Lull refused it. Try again; if it keeps happening, check that your computer's and the server's clocks are right.`,
      );
    case "invalid_token":
      return page(
        401,
        "The sign-in could not be verified",
        `Lull could not verify the answer from ${providerName}, so it refused it. Try again; if it keeps happening, tell your administrator.`,
      );
    case "no_email":
      return page(
        403,
        "Your account has no email address",
        `${providerName} did not tell Lull your email address. Ask your administrator to include it.`,
      );
    case "email_unverified":
      return page(
        403,
        "Your email address is not verified",
        `${providerName} has not verified your email address, so Lull cannot match it to an account. Ask your administrator.`,
      );
    case "already_linked":
      return page(
        403,
        "This account is linked to someone else",
        "The Lull account with your email address is already linked to another identity at your provider. Ask your administrator.",
      );
    case "unknown_user":
      return page(
        403,
        "You do not have a Lull account yet",
        "You signed in at your company, but nobody has given you access to Lull. Ask your administrator to add you.",
      );
    case "deactivated":
      return page(
        403,
        "Your account is deactivated",
        "This Lull account has been deactivated. Ask your administrator if you think this is a mistake.",
      );
    default:
      return page(
        401,
        "Single sign-on failed",
        "Lull could not sign you in. Start again from the sign-in page.",
      );
  }
}

async function audited(
  reason: string,
  settings: OidcSettings | null,
  { ip, userId = null }: { ip: string; userId?: string | null },
): Promise<SsoFailurePage> {
  await runCommand(new Date(), (command) => recordSsoFailure(command, { reason, userId, ip }));
  return failurePage(reason, settings?.providerName ?? "your provider");
}

export type SsoStart =
  { ok: true; location: string; setCookie: string } | { ok: false; page: SsoFailurePage };

/** Sends the browser to the provider, or says why not (audited). */
export async function beginSsoSignIn(
  request: Request,
  redirectTo: unknown,
  client: Client,
): Promise<SsoStart> {
  const settings = getEnv().oidc;
  if (!settings) return { ok: false, page: failurePage("not_configured", "") };
  const now = new Date();
  let start: Awaited<ReturnType<typeof startAuthorization>>;
  try {
    start = await startAuthorization(settings, ssoRedirectUri(request));
  } catch (error) {
    return { ok: false, page: await audited(classify(error), settings, client) };
  }
  await createSsoAttempt({
    state: start.state,
    nonce: start.nonce,
    codeVerifier: start.codeVerifier,
    redirectTo: safeRedirect(redirectTo),
    now,
  });
  return {
    ok: true,
    location: start.url.href,
    setCookie: await ssoStateCookie().serialize(start.state),
  };
}

export type SsoFinish =
  | { ok: true; redirectTo: string; setCookies: string[] }
  | { ok: false; page: SsoFailurePage; setCookies: string[] };

/** The provider's answer (the callback's query): a session, or the page that says why not. */
export async function finishSsoSignIn(request: Request, client: Client): Promise<SsoFinish> {
  const settings = getEnv().oidc;
  if (!settings) return { ok: false, page: failurePage("not_configured", ""), setCookies: [] };
  const setCookies = [await clearStateCookie()];
  const fail = async (reason: string, userId: string | null = null): Promise<SsoFinish> => ({
    ok: false,
    page: await audited(reason, settings, { ip: client.ip, userId }),
    setCookies,
  });

  const query = new URL(request.url).searchParams;
  const state = query.get("state");
  const cookieState = z
    .string()
    .min(1)
    .safeParse(await ssoStateCookie().parse(request.headers.get("Cookie")));
  if (!state || !cookieState.success || cookieState.data !== state) return fail("wrong_state");

  const now = new Date();
  const attempt = await takeSsoAttempt(state, now);
  if (!attempt.ok) return fail(attempt.refusal.code);
  if (query.has("error")) return fail("provider_error");

  let verified: Awaited<ReturnType<typeof completeAuthorization>>;
  try {
    verified = await completeAuthorization(settings, {
      redirectUri: ssoRedirectUri(request),
      callbackQuery: query,
      state,
      nonce: attempt.value.nonce,
      codeVerifier: attempt.value.codeVerifier,
    });
  } catch (error) {
    return fail(error instanceof SsoFailure ? error.reason : classify(error));
  }

  const subject = { userId: null as string | null };
  const signedIn = await signInWithSso({
    identity: { issuer: verified.issuer, claims: verified.claims },
    rules: {
      emailClaim: settings.emailClaim,
      groupsClaim: settings.groupsClaim,
      requireVerifiedEmail: settings.requireVerifiedEmail,
    },
    ...client,
    now,
    subject,
  });
  if (!signedIn.ok) return fail(signedIn.refusal.code, subject.userId);
  setCookies.push(signedIn.value.setCookie, await serializeLogoutCookie(verified.idToken));
  return { ok: true, redirectTo: attempt.value.redirectTo, setCookies };
}

/**
 * Where signing out ends: the provider's sign-out page (which comes back to
 * /login) when this browser signed in through the provider and the provider
 * offers one; otherwise /login.
 */
export async function signOutDestination(request: Request): Promise<string> {
  const settings = getEnv().oidc;
  if (!settings) return "/login";
  const marker = z
    .object({ idToken: z.string().nullable() })
    .safeParse(await ssoLogoutCookie().parse(request.headers.get("Cookie")));
  if (!marker.success) return "/login";
  const url = await endSessionUrl(settings, {
    idTokenHint: marker.data.idToken,
    postLogoutRedirectUri: `${publicOrigin(request)}/login`,
  });
  return url?.href ?? "/login";
}
