import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { SectionNav, type Section } from "#app/components/section-nav.tsx";
import { requireRole } from "#app/web/auth.server.ts";

/**
 * The worker representatives' frame (ADR 0042): the aggregate overview, the
 * policy and purpose history and the documents, with what waits for their
 * co-signature. Each council route still checks the role itself.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["REPRESENTATIVE"]);
  return null;
}

const SECTIONS: readonly Section[] = [
  { to: "/council", label: "Overview", end: true },
  { to: "/council/policy", label: "Policy history", end: false },
  { to: "/council/purposes", label: "Purposes", end: false },
  { to: "/council/documents", label: "Documents", end: false },
];

export default function CouncilLayout() {
  return (
    <div className="space-y-6">
      <SectionNav label="Worker representatives" title="Council" sections={SECTIONS} />
      <Outlet />
    </div>
  );
}
