/** Every kind of audit event, with how it reads in the audit log. */
export const AUDIT_ACTIONS = {
  "auth.sign_in": "Signed in",
  "auth.sign_out": "Signed out",
  "user.deactivate": "Deactivated an account",
  "user.reactivate": "Reactivated an account",
  "user.create": "Created an account",
  "user.update": "Changed an account's details",
  "user.role_change": "Changed an account's role",
  "user.setup_link": "Sent a set-password link",
  "user.password_set": "Set a password through a one-time link",
  "user.password_change": "Changed their password",
  "user.two_factor_on": "Turned on two-factor sign-in",
  "user.two_factor_off": "Turned off two-factor sign-in",
  "user.recovery_codes": "Made new two-factor recovery codes",
  "user.import": "Imported accounts from a CSV file",
  "user.provision": "Provisioned an account from the directory",
  "user.deprovision": "Removed an account at the directory's request",
  "user.link": "Linked a single sign-on identity to an account",
  "auth.sso_failed": "Single sign-on failed",
  "auth.password_refused": "Refused a password sign-in (single sign-on only)",
  "identity.settings": "Changed the sign-in settings",
  "identity.group_role": "Changed the directory group roles",
  "identity.scim_token_create": "Created a SCIM token",
  "identity.scim_token_revoke": "Revoked a SCIM token",
  "directory.group": "Changed a directory group",
  "data.exceptional_access": "Opened a worker's data (exceptional access)",
  "pause.start": "Started a pause",
  "pause.schedule": "Scheduled a pause",
  "pause.end_early": "Ended a pause early",
  "pause.cancel": "Cancelled a scheduled pause",
  "data.forget": "Forgot recent activity",
  "data.purge_private_app": "Deleted a private application's stored events",
  "private_app.add": "Made an application private",
  "private_app.remove": "Removed an application from their private list",
  "private_app.add_organisation": "Made an application private for everyone",
  "private_app.remove_organisation": "Removed an application from the organisation's private list",
  "policy.update": "Changed the policy",
  "policy.propose": "Proposed a policy change that waits for a representative's co-signature",
  "policy.withdraw": "Withdrew a policy change waiting for a co-signature",
  "policy.cosign": "Co-signed a policy change (worker representative)",
  "device.code_created": "Created a device enrollment code",
  "device.enroll": "Enrolled a device",
  "device.rename": "Renamed a device",
  "device.revoke": "Revoked a device",
  "retention.run": "Deleted data past the retention period",
  "audit.export": "Exported the audit log for a security review",
  "dataset.request": "Asked for an AI-training dataset",
  "dataset.include": "Included a person's events in an AI-training dataset",
  "dataset.download": "Downloaded an AI-training dataset",
  "dataset.lineage_view": "Looked up the datasets holding a person's data",
  "purpose.create": "Added a purpose to the registry",
  "purpose.version": "Changed a purpose in the registry",
  "purpose.cosign": "Co-signed a purpose version (worker representative)",
  "exemption.request": "Asked for an exemption",
  "exemption.view": "Viewed an exemption request",
  "exemption.approve": "Approved an exemption request",
  "exemption.deny": "Denied an exemption request",
  "exemption.revoke": "Revoked an exemption",
  "exemption.withdraw": "Withdrew an exemption request",
  "exemption.end": "Ended an exemption early",
  "document.draft": "Drafted a policy document version",
  "document.publish": "Published a policy document version",
  "document.cosign": "Co-signed a policy document draft (worker representative)",
  "document.cosign_cleared": "Edited a co-signed draft, clearing its co-signature",
  "acknowledgement.sign": "Acknowledged a policy document",
  "records.export": "Exported personal records",
  "records.download": "Downloaded an export of personal records",
  "rights.request": "Filed a data-rights request",
  "rights.withdraw": "Withdrew a data-rights request",
  "rights.lift": "Lifted a restriction or objection",
  "rights.view": "Opened a data-rights request",
  "rights.note": "Added a note to a data-rights request",
  "rights.extend": "Extended a data-rights request's deadline",
  "rights.accept": "Accepted a data-rights request",
  "rights.reject": "Rejected a data-rights request",
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/**
 * A worker's own privacy choices (ADR 0041): staff never see who forgot
 * what, or which applications someone keeps private. They are recorded (the
 * worker's own trail) but the console's audit log does not list them;
 * the privacy office sees them only as counts over at least five workers.
 */
export const WORKER_PRIVATE_ACTIONS = [
  "data.forget",
  "data.purge_private_app",
  "private_app.add",
  "private_app.remove",
] as const satisfies readonly AuditAction[];

/**
 * Accesses that cover every worker at once (no subject): each worker's access
 * log lists them too, from when their account was made (ADR 0042).
 */
export const ORGANISATION_WIDE_ACCESSES = [
  "audit.export",
] as const satisfies readonly AuditAction[];

export function describeAuditAction(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}
