import { Link } from "@remix-run/react";
import { buttonClasses } from "#app/components/ui/button.tsx";

/** A single sign-on that did not work: what happened, in words, and the way back. */
export function SsoFailureCard({ title, message }: { title: string; message: string }) {
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-3xl font-bold tracking-tight">{title}</h1>
      <p role="alert" className="text-ink-muted">
        {message}
      </p>
      <Link to="/login" className={buttonClasses("primary")}>
        Try again
      </Link>
    </div>
  );
}
