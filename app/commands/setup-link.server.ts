/**
 * The one-time set-password link: its address and the mail that carries it.
 * Commands that issue a link queue this mail in their own transaction, so a
 * new person's link is mailed if and only if their account was created.
 */
import { formatDateTime } from "#app/domain/local-time.ts";
import { getEnv } from "#app/utils/env.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";

/** Where links point: PUBLIC_URL, else the origin the admin's browser used. */
export function setupLinkBase(request: Request): string {
  return getEnv().PUBLIC_URL ?? new URL(request.url).origin;
}

export function setupLinkUrl(base: string, token: string): string {
  return new URL(`/set-password/${token}`, base).toString();
}

/** The mail with the one-time link. The body holds the link, so the console line never shows it. */
export function setupLinkMail({
  to,
  name,
  url,
  expiresAt,
}: {
  to: string;
  name: string;
  url: string;
  expiresAt: Date;
}): Mail {
  return {
    to,
    subject: "Set your Lull password",
    sensitive: true,
    text: [
      `Hello ${name},`,
      "",
      "An account on Lull, your workplace privacy portal, is ready for you. Choose your password here:",
      "",
      url,
      "",
      `The link works once, until ${formatDateTime(expiresAt, "UTC")}. If it has expired, ask your privacy office for a new one.`,
      "",
      "In Lull you can see what the monitoring agent collects about you, pause it, and ask for exemptions.",
    ].join("\n"),
  };
}
