import { z } from "zod";
import { ROLE_LABELS, ROLES } from "./roles.ts";

/**
 * How the Identity page words the audit events it lists (ADR 0038). The
 * metadata is JSON written by the commands; anything unexpected in it reads
 * as nothing rather than failing the page.
 */
const Metadata = z
  .object({
    via: z.string().optional(),
    reason: z.string().optional(),
    detail: z.string().optional(),
    from: z.string().nullable().optional(),
    to: z.string().nullable().optional(),
    group: z.string().optional(),
    added: z.number().optional(),
    removed: z.number().optional(),
    revokedDevices: z.number().optional(),
  })
  .passthrough();

function parse(metadata: string) {
  try {
    const parsed = Metadata.safeParse(JSON.parse(metadata));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

const VIA: Record<string, string> = {
  scim: "through SCIM",
  sso: "at single sign-on",
  console: "in the console",
};

function roleLabel(role: string | null | undefined): string {
  return role && (ROLES as readonly string[]).includes(role)
    ? ROLE_LABELS[role as (typeof ROLES)[number]]
    : (role ?? "none");
}

export function describeIdentityEvent(action: string, metadata: string): string {
  const m = parse(metadata);
  const via = m.via ? (VIA[m.via] ?? `via ${m.via}`) : "in the console";
  switch (action) {
    case "user.role_change":
      return `Role ${roleLabel(m.from)} → ${roleLabel(m.to)}, from directory groups`;
    case "user.deactivate":
      return `Deactivated ${via}${m.revokedDevices !== undefined ? `; ${m.revokedDevices} devices revoked` : ""}`;
    case "directory.group": {
      const parts = [m.group ? `Group “${m.group}”` : "A group"];
      if (m.added) parts.push(`${m.added} added`);
      if (m.removed) parts.push(`${m.removed} removed`);
      return parts.join(", ");
    }
    default:
      return via.charAt(0).toUpperCase() + via.slice(1);
  }
}

/** Plain words for the reasons single sign-on records when it fails. */
const SSO_FAILURES: Record<string, string> = {
  provider_unavailable: "The identity provider could not be reached",
  provider_error: "The provider answered with an error",
  wrong_state: "The sign-in did not start in this browser (wrong state)",
  expired: "The sign-in took longer than 10 minutes",
  already_used: "A sign-in was answered twice (replayed callback)",
  wrong_audience: "The ID token was issued for another application",
  token_expired: "The ID token had expired",
  invalid_token: "The provider's ID token was refused",
  no_email: "The ID token carried no email address",
  email_unverified: "The provider did not vouch for the email address",
  already_linked: "The account is already linked to another identity at the provider",
  unknown_user: "Someone without an account tried to sign in",
  deactivated: "A deactivated account tried to sign in",
  not_configured: "Single sign-on was tried while it is not configured",
};

export function describeSsoFailure(metadata: string): string {
  const m = parse(metadata);
  const reason = m.reason ?? "unknown";
  return SSO_FAILURES[reason] ?? reason.replaceAll("_", " ");
}
