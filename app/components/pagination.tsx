import { Link } from "@remix-run/react";

/**
 * Previous/next links that keep the other query parameters. A page with two
 * paged lists gives the second its own `param`, and the `hash` of its section
 * so the link lands on it.
 */
export function Pagination({
  page,
  pageCount,
  search,
  label,
  param = "page",
  hash = "",
}: {
  page: number;
  pageCount: number;
  search: string;
  label: string;
  param?: string;
  hash?: string;
}) {
  if (pageCount <= 1) return null;
  const hrefFor = (target: number) => {
    const params = new URLSearchParams(search);
    params.set(param, String(target));
    return `?${params}${hash}`;
  };
  const linkClass =
    "rounded-md border border-line px-3 py-1.5 text-sm hover:bg-surface-sunken aria-disabled:pointer-events-none aria-disabled:opacity-50";
  return (
    <nav aria-label={label} className="mt-4 flex items-center justify-between gap-4">
      {page > 1 ? (
        <Link to={hrefFor(page - 1)} className={linkClass} rel="prev">
          ← Previous
        </Link>
      ) : (
        <span />
      )}
      <span className="text-sm text-ink-muted">
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link to={hrefFor(page + 1)} className={linkClass} rel="next">
          Next →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
