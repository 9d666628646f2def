import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireRole } from "#app/web/auth.server.ts";

/**
 * The privacy office console's frame: a section menu over every /admin page.
 * Each admin route still checks the role itself (loaders run in parallel, so
 * this check does not guard the children).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["ADMIN"]);
  return null;
}

const SECTIONS = [
  { to: "/admin", label: "Overview", end: true },
  { to: "/admin/users", label: "Users", end: false },
  { to: "/admin/policy", label: "Policy", end: false },
  { to: "/admin/devices", label: "Fleet health", end: false },
  { to: "/admin/documents", label: "Documents", end: false },
  { to: "/admin/audit", label: "Audit log", end: false },
] as const;

export default function AdminLayout() {
  return (
    <div className="space-y-6">
      <nav aria-label="Privacy office" className="border-b border-line pb-3">
        <p className="mb-2 text-xs font-semibold uppercase tracking-wide text-ink-muted">
          Privacy office
        </p>
        <ul className="flex flex-wrap gap-1">
          {SECTIONS.map((s) => (
            <li key={s.to}>
              <NavLink
                to={s.to}
                end={s.end}
                className={({ isActive }) =>
                  `rounded-md px-3 py-1.5 text-sm font-medium ${
                    isActive
                      ? "bg-surface-sunken text-ink underline underline-offset-4"
                      : "text-ink-muted hover:bg-surface-sunken hover:text-ink"
                  }`
                }
              >
                {s.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
