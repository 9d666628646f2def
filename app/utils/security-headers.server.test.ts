import { describe, expect, test } from "vitest";
import { createCspNonce, securityHeaders } from "./security-headers.server.ts";

describe("securityHeaders", () => {
  test("production policy: nonce scripts only, no framing, no inline styles", () => {
    const headers = securityHeaders({ nonce: "abc", isProduction: true });
    const csp = headers["Content-Security-Policy"]!;
    expect(csp).toContain("script-src 'self' 'nonce-abc'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Permissions-Policy"]).toContain("camera=()");
  });

  test("forms go only to this site, and to the single sign-on provider when there is one", () => {
    const plain = securityHeaders({ nonce: "abc", isProduction: true });
    expect(plain["Content-Security-Policy"]).toContain("form-action 'self';");
    const sso = securityHeaders({
      nonce: "abc",
      isProduction: true,
      formTargets: ["https://idp.example.com"],
    });
    expect(sso["Content-Security-Policy"]).toContain("form-action 'self' https://idp.example.com;");
  });

  test("nonces are fresh and 128 bits", () => {
    const a = createCspNonce();
    const b = createCspNonce();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64")).toHaveLength(16);
  });
});
