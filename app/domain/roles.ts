/**
 * Roles, lowest first: with several directory groups, the highest wins (ADR 0038).
 * REPRESENTATIVE (works council, union) and DATA_STEWARD came with ADR 0042.
 */
export const ROLES = ["WORKER", "REPRESENTATIVE", "DATA_STEWARD", "REVIEWER", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  WORKER: "Worker",
  REPRESENTATIVE: "Worker representative",
  DATA_STEWARD: "Data steward",
  REVIEWER: "Reviewer",
  ADMIN: "Admin",
};

export function hasRole(userRole: Role, allowed: readonly Role[]): boolean {
  return allowed.includes(userRole);
}
