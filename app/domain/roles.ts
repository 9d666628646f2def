export const ROLES = ["WORKER", "REVIEWER", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  WORKER: "Worker",
  REVIEWER: "Reviewer",
  ADMIN: "Admin",
};

export function hasRole(userRole: Role, allowed: readonly Role[]): boolean {
  return allowed.includes(userRole);
}
