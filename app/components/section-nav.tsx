import { NavLink } from "@remix-run/react";

export type Section = { to: string; label: string; end?: boolean };

/**
 * The pages of one area (My data, Review, the privacy office) as a row of
 * links that wraps on a narrow screen; the current page is marked for sight
 * (underline) and for screen readers (aria-current, from NavLink).
 */
export function SectionNav({
  label,
  sections,
  title,
}: {
  label: string;
  sections: readonly Section[];
  title?: string;
}) {
  return (
    <nav aria-label={label} className="border-b border-line pb-3">
      {title ? (
        <p className="mb-2 text-xs font-semibold uppercase tracking-wide text-ink-muted">{title}</p>
      ) : null}
      <ul className="flex flex-wrap gap-1">
        {sections.map((s) => (
          <li key={s.to}>
            <NavLink
              to={s.to}
              end={s.end ?? true}
              className={({ isActive }) =>
                `inline-block rounded-md px-3 py-1.5 text-sm font-medium ${
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
  );
}

/** Everything held about the worker, and who else saw it. */
export const MY_DATA_SECTIONS: readonly Section[] = [
  { to: "/data", label: "Overview" },
  { to: "/data/events", label: "All events" },
  { to: "/data/access", label: "Data history" },
  { to: "/data/rights", label: "Your rights", end: false },
  { to: "/records", label: "Download my records" },
];

/** The data steward's AI-training datasets (ADR 0043). */
export const DATASET_SECTIONS: readonly Section[] = [
  { to: "/datasets", label: "Datasets" },
  { to: "/datasets/lineage", label: "Lineage" },
];

/** What reviewers and admins decide and prepare. */
export const REVIEW_SECTIONS: readonly Section[] = [
  { to: "/review/exemptions", label: "Exemption requests", end: false },
  { to: "/review/records", label: "Records exports" },
  { to: "/review/rights", label: "Rights requests", end: false },
];
