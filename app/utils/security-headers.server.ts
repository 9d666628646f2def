import { randomBytes } from "node:crypto";

/** A fresh nonce per response; 128 random bits. */
export function createCspNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Headers every response carries. The Content-Security-Policy allows only
 * our own scripts and inline scripts that carry this response's nonce.
 * In development Vite injects styles and opens a WebSocket for HMR, so the
 * policy is relaxed there and only there.
 */
export function securityHeaders({
  nonce,
  isProduction,
  formTargets = [],
}: {
  nonce: string;
  isProduction: boolean;
  /**
   * Other origins a form may lead to: the single sign-on provider's, since
   * "Sign in with …" and "Sign out" post to Lull, which redirects there, and
   * browsers hold a form's redirects to form-action too.
   */
  formTargets?: readonly string[];
}): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    isProduction ? "style-src 'self'" : "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    isProduction ? "connect-src 'self'" : "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...formTargets].join(" "),
    "frame-ancestors 'none'",
  ].join("; ");

  const headers: Record<string, string> = {
    "Content-Security-Policy": csp,
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy":
      "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
  if (isProduction) {
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  }
  return headers;
}
