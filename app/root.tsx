import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import type { ReactNode } from "react";
import { SiteHeader } from "#app/components/site-header.tsx";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { ToastMessage } from "#app/components/toast-message.tsx";
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
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-surface-raised focus:px-4 focus:py-2 focus:text-ink focus:shadow print:hidden"
        >
          Skip to content
        </a>
        <SiteHeader user={root?.user ?? null} unread={root?.unread ?? 0} />
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
      className="border-b border-danger/40 bg-danger-surface print:hidden"
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
