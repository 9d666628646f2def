import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useEffect, useRef, type ReactNode } from "react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { ToastMessage } from "#app/components/toast-message.tsx";
import { ROLE_LABELS, hasRole, type Role } from "#app/domain/roles.ts";
import { TWO_FACTOR_ROLES } from "#app/domain/two-factor.ts";
import { countUnreadNotifications } from "#app/models/notification.server.ts";
import { listOutstandingDocuments } from "#app/models/policy-document.server.ts";
import { getUser } from "#app/web/auth.server.ts";
import { useNonce } from "#app/utils/nonce-provider.tsx";
import { takeToast } from "#app/utils/toast.server.ts";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** The fallback title; pages set their own, error pages get one that says what happened. */
export const meta: MetaFunction = ({ error }) => {
  if (!error) return [{ title: "Lull" }];
  if (isRouteErrorResponse(error) && error.status === 403) return [{ title: "No access · Lull" }];
  if (isRouteErrorResponse(error) && error.status === 404)
    return [{ title: "Page not found · Lull" }];
  return [{ title: "Something went wrong · Lull" }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const [user, { toast, setCookie }] = await Promise.all([getUser(request), takeToast(request)]);
  const [unread, outstanding] = user
    ? await Promise.all([countUnreadNotifications(user.id), listOutstandingDocuments(user.id)])
    : [0, []];
  return data(
    { user, toast, unread, outstanding },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

type NavItem = { to: string; label: string; roles: readonly Role[] };

/** Areas that exist; each appears only to the roles that may open it. */
const NAV_ITEMS: readonly NavItem[] = [
  { to: "/", label: "Home", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/pauses", label: "Pauses", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/devices", label: "Devices", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/data", label: "My data", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/data/access", label: "Access log", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/exemptions", label: "Exemptions", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/acknowledgements", label: "Acknowledgements", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/records", label: "My records", roles: ["WORKER", "REVIEWER", "ADMIN"] },
  { to: "/review/exemptions", label: "Review", roles: ["REVIEWER", "ADMIN"] },
  { to: "/review/records", label: "Exports", roles: ["REVIEWER", "ADMIN"] },
  { to: "/admin", label: "Admin", roles: ["ADMIN"] },
];

function SiteHeader() {
  const root = useRouteLoaderData<typeof loader>("root");
  const user = root?.user;
  // The header stays mounted across client navigations: the user menu closes on each one.
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location.key]);
  return (
    <header className="border-b border-line bg-surface-raised">
      <div className="mx-auto flex max-w-page flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link to="/" className="flex items-center gap-2 text-lg font-bold text-ink">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Lull
        </Link>
        {user ? (
          <>
            <nav aria-label="Main" className="order-3 w-full sm:order-none sm:w-auto">
              <ul className="flex gap-1">
                {NAV_ITEMS.filter((item) => hasRole(user.role, item.roles)).map((item) => (
                  <li key={item.to}>
                    <NavLink
                      to={item.to}
                      end={item.to === "/"}
                      className={({ isActive }) =>
                        `rounded-md px-3 py-2 text-sm font-medium ${
                          isActive
                            ? "bg-brand-100 text-brand-900 underline underline-offset-4 dark:bg-brand-900 dark:text-brand-50"
                            : "text-ink-muted hover:bg-surface-sunken hover:text-ink"
                        }`
                      }
                    >
                      {item.label}
                      {item.to === "/" && root.unread > 0 ? (
                        <span
                          className="ml-1.5 rounded-full bg-brand-700 px-1.5 py-0.5 text-xs font-semibold text-white dark:bg-brand-300 dark:text-brand-950"
                          data-testid="unread-badge"
                        >
                          {root.unread}
                          <span className="sr-only"> unread</span>
                        </span>
                      ) : null}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <details ref={menu} className="relative ml-auto" data-testid="user-menu">
              <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-2 text-sm hover:bg-surface-sunken">
                <span className="font-medium text-ink">{user.name}</span>
                <span className="rounded-full bg-surface-sunken px-2 py-0.5 text-xs text-ink-muted">
                  {ROLE_LABELS[user.role]}
                </span>
                <span aria-hidden="true">▾</span>
              </summary>
              <div className="absolute right-0 z-10 mt-2 w-64 rounded-card border border-line bg-surface-raised p-3 shadow-lg">
                <p className="truncate text-sm text-ink-muted">{user.email}</p>
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

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const root = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-screen flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-surface-raised focus:px-4 focus:py-2 focus:text-ink focus:shadow"
        >
          Skip to content
        </a>
        <SiteHeader />
        {root?.outstanding.length ? <AcknowledgementBanner documents={root.outstanding} /> : null}
        {root?.toast ? <ToastMessage toast={root.toast} /> : null}
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-page flex-1 px-4 py-8">
          {children}
        </main>
        <footer className="border-t border-line py-4 text-center text-sm text-ink-muted">
          Lull: you decide when you are tracked.
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

/** On every page until the worker has acknowledged each required document's current version. */
function AcknowledgementBanner({
  documents,
}: {
  documents: { slug: string; title: string; status: string }[];
}) {
  return (
    <aside
      aria-label="Documents to acknowledge"
      className="border-b border-danger/40 bg-danger-surface"
      data-testid="acknowledgement-banner"
    >
      <div className="mx-auto max-w-page px-4 py-3 text-sm">
        <p className="font-semibold">Please read and acknowledge:</p>
        <ul className="mt-1 flex flex-wrap gap-x-4">
          {documents.map((d) => (
            <li key={d.slug}>
              <Link to={`/acknowledgements/${d.slug}`} className="underline underline-offset-2">
                {d.title}
                {d.status === "outdated" ? " (new version)" : ""}
              </Link>
            </li>
          ))}
        </ul>
      </div>
    </aside>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  let title = "Something went wrong";
  let message = "An unexpected error stopped this page. Try again in a moment.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 403) {
      title = "You do not have access to this page";
      message =
        "This page is for another role. If you think you should see it, ask your administrator.";
    } else if (error.status === 404) {
      title = "Page not found";
      message = "There is nothing at this address. Check the link, or go back home.";
    } else if ((error.status === 413 || error.status === 415) && typeof error.data === "string") {
      // The sentence comes from app/web/request-body.server.ts: what was wrong, what to do.
      title = error.status === 413 ? "Too much to send at once" : "Lull could not read that";
      message = error.data;
    } else {
      title = `${error.status} ${error.statusText}`;
    }
  } else if (import.meta.env.DEV && error instanceof Error) {
    message = error.message;
  }
  return (
    <div className="mx-auto max-w-xl space-y-4 text-center">
      <h1 className="text-2xl font-bold">{title}</h1>
      <p className="text-ink-muted">{message}</p>
      <Link to="/" className={buttonClasses("primary")}>
        Go to the home page
      </Link>
    </div>
  );
}
