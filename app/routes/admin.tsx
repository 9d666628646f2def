import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { SectionNav, type Section } from "#app/components/section-nav.tsx";
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

const SECTIONS: readonly Section[] = [
  { to: "/admin", label: "Overview", end: true },
  { to: "/admin/users", label: "Users", end: false },
  { to: "/admin/policy", label: "Policy", end: false },
  { to: "/admin/purposes", label: "Purposes", end: false },
  { to: "/admin/privacy", label: "Private apps", end: false },
  { to: "/admin/identity", label: "Identity", end: false },
  { to: "/admin/devices", label: "Fleet health", end: false },
  { to: "/admin/documents", label: "Documents", end: false },
  { to: "/admin/audit", label: "Audit log", end: false },
];

export default function AdminLayout() {
  return (
    <div className="space-y-6">
      <SectionNav label="Privacy office" title="Privacy office" sections={SECTIONS} />
      <Outlet />
    </div>
  );
}
