/**
 * The company's OpenID provider, through `openid-client` (ADR 0039): the
 * provider's metadata is discovered once per process (a failed discovery is
 * not kept, so the next sign-in tries again), the authorization request
 * carries PKCE (S256), state and nonce, and the code is exchanged with the
 * checks openid-client makes on the ID token (signature against the
 * provider's keys, issuer, audience, expiry, nonce).
 *
 * Plain http is refused by openid-client; it is allowed here only for an
 * issuer on this machine (127.0.0.1, localhost), which is what the tests'
 * provider is. A real provider is always https.
 */
import * as client from "openid-client";
import type { Env } from "./env.server.ts";

export type OidcSettings = NonNullable<Env["oidc"]>;

/** Why a sign-in through the provider failed; never holds a token. */
export type SsoFailureReason =
  | "provider_unavailable"
  | "provider_error"
  | "wrong_state"
  | "expired"
  | "already_used"
  | "wrong_audience"
  | "token_expired"
  | "invalid_token"
  | "no_email"
  | "email_unverified"
  | "unknown_user"
  | "deactivated"
  | "not_configured";

export class SsoFailure extends Error {
  constructor(
    readonly reason: SsoFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
    this.name = "SsoFailure";
  }
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Only a provider on this machine (the tests') may be spoken to over http. */
export function allowsInsecureIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
}

type Cached = { key: string; config: Promise<client.Configuration> };
let cached: Cached | undefined;

/** The provider's configuration, discovered once per process; a failure is retried next time. */
export async function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer} ${settings.clientId}`;
  if (cached?.key !== key) {
    const auth = settings.clientSecret
      ? client.ClientSecretBasic(settings.clientSecret)
      : client.None();
    const config = client
      .discovery(new URL(settings.issuer), settings.clientId, undefined, auth, {
        execute: allowsInsecureIssuer(settings.issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((error: unknown) => {
        if (cached?.config === config) cached = undefined;
        throw error;
      });
    cached = { key, config };
  }
  try {
    return await cached.config;
  } catch (error) {
    console.error(`Single sign-on: discovery at ${settings.issuer} failed:`, describe(error));
    throw new SsoFailure("provider_unavailable");
  }
}

/** Forgets the discovered metadata (tests that restart their provider). */
export function forgetProviderConfiguration(): void {
  cached = undefined;
}

export type AuthorizationStart = {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
};

/** The address to send the browser to, with fresh state, nonce and PKCE verifier. */
export async function startAuthorization(
  settings: OidcSettings,
  redirectUri: string,
): Promise<AuthorizationStart> {
  const config = await providerConfiguration(settings);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: settings.scopes,
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { url, state, nonce, codeVerifier };
}

export type VerifiedSignIn = {
  issuer: string;
  claims: client.IDToken;
  idToken: string;
};

/**
 * Exchanges the code in `callbackQuery` (the query the provider sent back)
 * and returns the ID token's verified claims. Throws SsoFailure.
 */
export async function completeAuthorization(
  settings: OidcSettings,
  {
    redirectUri,
    callbackQuery,
    state,
    nonce,
    codeVerifier,
  }: {
    redirectUri: string;
    callbackQuery: URLSearchParams;
    state: string;
    nonce: string;
    codeVerifier: string;
  },
): Promise<VerifiedSignIn> {
  const config = await providerConfiguration(settings);
  // The redirect URI as registered (not the address a proxy passed on), with the provider's answer.
  const currentUrl = new URL(redirectUri);
  currentUrl.search = callbackQuery.toString();
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    const reason = classify(error);
    console.error(`Single sign-on: the code exchange failed (${reason}):`, describe(error));
    throw new SsoFailure(reason);
  }
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) throw new SsoFailure("invalid_token");
  return { issuer: config.serverMetadata().issuer, claims, idToken: tokens.id_token };
}

/** The provider's sign-out address, or null when it has none (RP-initiated logout). */
export async function endSessionUrl(
  settings: OidcSettings,
  {
    idTokenHint,
    postLogoutRedirectUri,
  }: { idTokenHint: string | null; postLogoutRedirectUri: string },
): Promise<URL | null> {
  let config: client.Configuration;
  try {
    config = await providerConfiguration(settings);
  } catch {
    return null;
  }
  if (!config.serverMetadata().end_session_endpoint) return null;
  return client.buildEndSessionUrl(config, {
    client_id: settings.clientId,
    post_logout_redirect_uri: postLogoutRedirectUri,
    ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
  });
}

/** The claim a failed comparison was about, looked for down the error's causes. */
function failedClaim(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const claim = (e as { claim?: unknown }).claim;
    if (typeof claim === "string") return claim;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A failed exchange in words a person (and the audit log) can use. */
export function classify(error: unknown): SsoFailureReason {
  if (error instanceof SsoFailure) return error.reason;
  if (error instanceof client.AuthorizationResponseError) return "provider_error";
  if (error instanceof client.ResponseBodyError) return "provider_error";
  const code = codeOf(error);
  if (code === "OAUTH_JWT_TIMESTAMP_CHECK_FAILED") return "token_expired";
  if (code === "OAUTH_JWT_CLAIM_COMPARISON_FAILED") {
    return failedClaim(error) === "aud" || failedClaim(error) === "azp"
      ? "wrong_audience"
      : "invalid_token";
  }
  if (code === "OAUTH_INVALID_RESPONSE" || code === "OAUTH_KEY_SELECTION_FAILED") {
    return "invalid_token";
  }
  if (
    code === "OAUTH_RESPONSE_IS_NOT_CONFORM" ||
    code === "OAUTH_RESPONSE_IS_NOT_JSON" ||
    code === "OAUTH_TIMEOUT" ||
    error instanceof TypeError // fetch failed: the provider is down
  ) {
    return "provider_unavailable";
  }
  return "invalid_token";
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  return `${error.name}${code ? ` ${code}` : ""}: ${error.message}`;
}
