import { formatDateTime } from "#app/domain/local-time.ts";
import { getEnv } from "#app/utils/env.server.ts";
import type { Mail } from "#app/utils/mail.server.ts";
import { runCommand } from "./command.server.ts";

/** The absolute set-password address for `token` (PUBLIC_URL, else the admin's own origin). */
function setupLinkUrl(request: Request, token: string): string {
  const base = getEnv().PUBLIC_URL ?? new URL(request.url).origin;
  return new URL(`/set-password/${token}`, base).toString();
}

/** The mail with the one-time link. The body holds the link, so the console line never shows it. */
function setupLinkMail({
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

/** Mails `link` to the person and returns its address (for the admin, when it may be shown). */
export async function deliverSetupLink(
  request: Request,
  person: { email: string; name: string },
  link: { token: string; expiresAt: Date },
): Promise<string> {
  const url = setupLinkUrl(request, link.token);
  const message = setupLinkMail({
    to: person.email,
    name: person.name,
    url,
    expiresAt: link.expiresAt,
  });
  await runCommand(new Date(), async ({ mail }) => mail(message));
  return url;
}
