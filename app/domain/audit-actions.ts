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
  "data.exceptional_access": "Opened a worker's data (exceptional access)",
  "pause.start": "Started a pause",
  "pause.schedule": "Scheduled a pause",
  "pause.end_early": "Ended a pause early",
  "pause.cancel": "Cancelled a scheduled pause",
  "policy.update": "Changed the policy",
  "device.code_created": "Created a device enrollment code",
  "device.enroll": "Enrolled a device",
  "device.rename": "Renamed a device",
  "device.revoke": "Revoked a device",
  "retention.run": "Deleted data past the retention period",
  "exemption.request": "Asked for an exemption",
  "exemption.view": "Viewed an exemption request",
  "exemption.approve": "Approved an exemption request",
  "exemption.deny": "Denied an exemption request",
  "exemption.revoke": "Revoked an exemption",
  "exemption.withdraw": "Withdrew an exemption request",
  "exemption.end": "Ended an exemption early",
  "document.draft": "Drafted a policy document version",
  "document.publish": "Published a policy document version",
  "acknowledgement.sign": "Acknowledged a policy document",
  "records.export": "Exported personal records",
  "records.download": "Downloaded an export of personal records",
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function describeAuditAction(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}
