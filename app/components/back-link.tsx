import { Link } from "@remix-run/react";

/** The way back up from a detail page ("Users", "Back to Ada's account"), above its heading. */
export function BackLink({ to, children }: { to: string; children: string }) {
  return (
    <p className="text-sm">
      <Link to={to} className="underline underline-offset-2">
        {children}
      </Link>
    </p>
  );
}
