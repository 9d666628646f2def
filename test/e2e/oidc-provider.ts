/**
 * A real OpenID provider for the single sign-on tests (ADR 0039):
 * `oidc-provider` on 127.0.0.1 with its own (development) sign-in and
 * consent pages, a signing key made for this run, one client for Lull and
 * the accounts the tests sign in as. The dev sign-in page takes any
 * password; the login names an account below.
 *
 * To show that Lull checks the ID token itself, `tamper` makes the token
 * endpoint answer with an ID token re-signed with the provider's own key but
 * for another audience, or already expired: the signature stays valid, so
 * only Lull's checks can refuse it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, importJWK, SignJWT, decodeJwt, type JWK } from "jose";
// oidc-provider ships no types; the little used here is typed by hand below.
// @ts-expect-error -- no declaration file
import ProviderModule from "oidc-provider";

export type TestAccount = {
  email: string;
  emailVerified: boolean;
  name: string;
  groups?: string[];
};

export type Tamper = "none" | "audience" | "expired";

type KoaContext = {
  path: string;
  method: string;
  body: unknown;
};
type KoaNext = () => Promise<void>;
type ProviderInstance = {
  use(middleware: (ctx: KoaContext, next: KoaNext) => Promise<void>): void;
  callback(): (req: unknown, res: unknown) => void;
  proxy: boolean;
};
const Provider = ProviderModule as new (issuer: string, config: unknown) => ProviderInstance;

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Makes the next token answers carry a bad ID token (until set back to "none"). */
  tamper(mode: Tamper): void;
  stop(): Promise<void>;
};

export async function startOidcProvider({
  accounts,
  redirectUri,
  postLogoutRedirectUri,
}: {
  /** By login name (what one types on the provider's sign-in page). */
  accounts: Record<string, TestAccount>;
  redirectUri: string;
  postLogoutRedirectUri: string;
}): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const signingKey = await importJWK(jwk, "RS256");

  const clientId = "lull-test";
  const clientSecret = "lull-test-secret-lull-test-secret";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogoutRedirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "zoneinfo", "groups"],
    },
    // Every claim the scopes allow goes into the ID token (Lull reads the ID token only).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified,
          name: account.name,
          ...(account.groups ? { groups: account.groups } : {}),
        }),
      };
    },
  });

  let mode: Tamper = "none";
  provider.use(async (ctx, next) => {
    await next();
    if (mode === "none" || ctx.path !== "/token" || ctx.method !== "POST") return;
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    const claims = decodeJwt(body.id_token);
    const now = Math.floor(Date.now() / 1000);
    const changed =
      mode === "audience"
        ? { ...claims, aud: "some-other-application" }
        : { ...claims, iat: now - 7200, exp: now - 3600 };
    body.id_token = await new SignJWT(changed)
      .setProtectedHeader({ alg: "RS256", kid: "test-key", typ: "JWT" })
      .sign(signingKey);
  });

  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    tamper: (next) => {
      mode = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
