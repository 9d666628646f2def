import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import {
  SsoFailure,
  allowsInsecureIssuer,
  classify,
  forgetProviderConfiguration,
  providerConfiguration,
  type OidcSettings,
} from "./oidc.server.ts";

const settings = (issuer: string): OidcSettings => ({
  issuer,
  clientId: "lull",
  clientSecret: null,
  scopes: "openid email",
  emailClaim: "email",
  groupsClaim: null,
  providerName: "Example",
  requireVerifiedEmail: true,
});

describe("the provider's address", () => {
  test("plain http is allowed only for a provider on this machine", () => {
    expect(allowsInsecureIssuer("http://127.0.0.1:4000")).toBe(true);
    expect(allowsInsecureIssuer("http://localhost:4000/realms/x")).toBe(true);
    expect(allowsInsecureIssuer("http://idp.example.com")).toBe(false);
    expect(allowsInsecureIssuer("https://idp.example.com")).toBe(false);
  });
});

describe("discovery", () => {
  test("a provider that is down is provider_unavailable, and the next sign-in asks again", async () => {
    // A port that was free a moment ago: nothing answers.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const issuer = `http://127.0.0.1:${port}`;
    forgetProviderConfiguration();
    const down = await providerConfiguration(settings(issuer)).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(SsoFailure);
    expect((down as SsoFailure).reason).toBe("provider_unavailable");

    // Up again: the failure was not kept.
    const server = createServer((req, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const config = await providerConfiguration(settings(issuer));
      expect(config.serverMetadata().issuer).toBe(issuer);
    } finally {
      server.close();
      forgetProviderConfiguration();
    }
  });
});

describe("classify", () => {
  const failed = (code: string, claim?: string) =>
    Object.assign(new Error("x"), { code, cause: claim ? { claim } : undefined });

  test("names what the ID token checks refused", () => {
    expect(classify(failed("OAUTH_JWT_CLAIM_COMPARISON_FAILED", "aud"))).toBe("wrong_audience");
    expect(classify(failed("OAUTH_JWT_CLAIM_COMPARISON_FAILED", "nonce"))).toBe("invalid_token");
    expect(classify(failed("OAUTH_JWT_TIMESTAMP_CHECK_FAILED", "exp"))).toBe("token_expired");
    expect(classify(new TypeError("fetch failed"))).toBe("provider_unavailable");
    expect(classify(new SsoFailure("already_used"))).toBe("already_used");
  });
});
