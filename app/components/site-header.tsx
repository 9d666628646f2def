import { Form, Link, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { ROLE_LABELS, ROLES, hasRole, type Role } from "#app/domain/roles.ts";
import { TWO_FACTOR_ROLES } from "#app/domain/two-factor.ts";

type NavItem = {
  to: string;
  label: string;
  roles: readonly Role[];
  /** The paths this entry stands for (itself and its section's pages). */
  covers: readonly string[];
};

const EVERYONE: readonly Role[] = ROLES;

/** Seven entries for everyone; staff see their areas (each with its own section menu) after them. */
export const NAV_ITEMS: readonly NavItem[] = [
  { to: "/", label: "Home", roles: EVERYONE, covers: ["/", "/account"] },
  { to: "/pauses", label: "Pauses", roles: EVERYONE, covers: ["/pauses"] },
  { to: "/data", label: "My data", roles: EVERYONE, covers: ["/data", "/records"] },
  { to: "/exemptions", label: "Exemptions", roles: EVERYONE, covers: ["/exemptions"] },
  { to: "/devices", label: "Devices", roles: EVERYONE, covers: ["/devices"] },
  { to: "/privacy", label: "Privacy", roles: EVERYONE, covers: ["/privacy"] },
  {
    to: "/acknowledgements",
    label: "Acknowledgements",
    roles: EVERYONE,
    covers: ["/acknowledgements"],
  },
  { to: "/review/exemptions", label: "Review", roles: ["REVIEWER", "ADMIN"], covers: ["/review"] },
  { to: "/datasets", label: "Datasets", roles: ["DATA_STEWARD", "ADMIN"], covers: ["/datasets"] },
  { to: "/council", label: "Council", roles: ["REPRESENTATIVE"], covers: ["/council"] },
  { to: "/admin", label: "Admin", roles: ["ADMIN"], covers: ["/admin"] },
];

export function isCurrentArea(item: Pick<NavItem, "covers">, pathname: string): boolean {
  return item.covers.some((p) =>
    p === "/" ? pathname === "/" : pathname === p || pathname.startsWith(`${p}/`),
  );
}

type HeaderUser = { name: string; email: string; role: Role };

function NavLinks({
  user,
  unread,
  pathname,
  vertical,
  onFollow,
}: {
  user: HeaderUser;
  unread: number;
  pathname: string;
  vertical: boolean;
  /** Called when a link is followed (the phone menu closes, even for the page already open). */
  onFollow?: () => void;
}) {
  return (
    <ul className={vertical ? "flex flex-col gap-1" : "flex items-center gap-0.5"}>
      {NAV_ITEMS.filter((item) => hasRole(user.role, item.roles)).map((item) => {
        const current = isCurrentArea(item, pathname);
        return (
          <li key={item.to}>
            <Link
              to={item.to}
              onClick={onFollow}
              aria-current={current ? "page" : undefined}
              className={`block whitespace-nowrap rounded-md px-2.5 py-2 text-sm font-medium ${
                current
                  ? "bg-brand-100 text-brand-900 underline underline-offset-4 dark:bg-brand-900 dark:text-brand-50"
                  : "text-ink-muted hover:bg-surface-sunken hover:text-ink"
              }`}
            >
              {item.label}
              {item.to === "/" && unread > 0 ? (
                <span
                  className="ml-1.5 rounded-full bg-brand-700 px-1.5 py-0.5 text-xs font-semibold text-white dark:bg-brand-300 dark:text-brand-950"
                  data-testid={vertical ? "unread-badge-menu" : "unread-badge"}
                >
                  {unread}
                  <span className="sr-only"> unread</span>
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

function MenuIcon() {
  return (
    <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" className="fill-current">
      <rect x="3" y="5" width="14" height="2" rx="1" />
      <rect x="3" y="9" width="14" height="2" rx="1" />
      <rect x="3" y="13" width="14" height="2" rx="1" />
    </svg>
  );
}

function PersonIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" className="fill-current">
      <circle cx="10" cy="6.5" r="3.5" />
      <path d="M3 17c0-3.6 3.1-6 7-6s7 2.4 7 6z" />
    </svg>
  );
}

/**
 * The portal's header: one row at desktop widths for every role; below
 * 1024 px the navigation folds into a "Menu" disclosure (a native
 * `<details>`, so it opens without JavaScript). Both menus close on every
 * client navigation, since the header stays mounted.
 */
export function SiteHeader({ user, unread }: { user: HeaderUser | null; unread: number }) {
  const { pathname, key } = useLocation();
  const navMenu = useRef<HTMLDetailsElement>(null);
  const userMenu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (navMenu.current) navMenu.current.open = false;
    if (userMenu.current) userMenu.current.open = false;
  }, [key]);

  return (
    <header className="relative border-b border-line bg-surface-raised">
      <div className="mx-auto flex max-w-page items-center gap-x-3 px-4 py-3">
        <Link to="/" className="flex shrink-0 items-center gap-2 text-lg font-bold text-ink">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Lull
        </Link>
        {user ? (
          <>
            <nav aria-label="Main" className="ml-2 hidden lg:block">
              <NavLinks user={user} unread={unread} pathname={pathname} vertical={false} />
            </nav>
            <details ref={navMenu} className="lg:hidden" data-testid="nav-menu">
              <summary className="flex cursor-pointer list-none items-center gap-1.5 rounded-md px-3 py-2 text-sm font-medium hover:bg-surface-sunken">
                <MenuIcon />
                Menu
                {unread > 0 ? <span className="sr-only"> ({unread} unread)</span> : null}
              </summary>
              <nav
                aria-label="Main"
                className="absolute inset-x-0 top-full z-20 border-b border-line bg-surface-raised px-4 py-3 shadow-lg"
              >
                <NavLinks
                  user={user}
                  unread={unread}
                  pathname={pathname}
                  vertical
                  onFollow={() => {
                    if (navMenu.current) navMenu.current.open = false;
                  }}
                />
              </nav>
            </details>
            <details ref={userMenu} className="relative ml-auto min-w-0" data-testid="user-menu">
              <summary className="flex min-w-0 cursor-pointer list-none items-center gap-2 rounded-md px-3 py-2 text-sm hover:bg-surface-sunken">
                <PersonIcon />
                <span className="truncate font-medium text-ink">{user.name}</span>
                <span className="hidden rounded-full bg-surface-sunken px-2 py-0.5 text-xs text-ink-muted sm:inline">
                  {ROLE_LABELS[user.role]}
                </span>
                <span aria-hidden="true">▾</span>
              </summary>
              <div className="absolute right-0 z-20 mt-2 w-64 max-w-[calc(100vw-2rem)] rounded-card border border-line bg-surface-raised p-3 shadow-lg">
                <p className="truncate text-sm text-ink-muted">{user.email}</p>
                <p className="text-xs text-ink-muted sm:hidden">{ROLE_LABELS[user.role]}</p>
                <ul className="mt-3 space-y-1 text-sm">
                  <li>
                    <Link to="/account/password" className="underline">
                      Change password
                    </Link>
                  </li>
                  {hasRole(user.role, TWO_FACTOR_ROLES) ? (
                    <li>
                      <Link to="/account/two-factor" className="underline">
                        Two-factor sign-in
                      </Link>
                    </li>
                  ) : null}
                </ul>
                <Form method="post" action="/logout" className="mt-3">
                  <button type="submit" className={buttonClasses("secondary", "w-full")}>
                    Sign out
                  </button>
                </Form>
              </div>
            </details>
          </>
        ) : null}
      </div>
    </header>
  );
}
