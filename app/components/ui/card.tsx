import type { ReactNode } from "react";

export function Card({
  title,
  titleId,
  children,
  className = "",
}: {
  title?: ReactNode;
  titleId?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section
      aria-labelledby={title ? titleId : undefined}
      className={`rounded-card border border-line bg-surface-raised p-5 shadow-sm ${className}`}
    >
      {title ? (
        <h2 id={titleId} className="mb-3 text-lg font-semibold text-ink">
          {title}
        </h2>
      ) : null}
      {children}
    </section>
  );
}
