import { PassThrough } from "node:stream";
import type {
  AppLoadContext,
  EntryContext,
  HandleDataRequestFunction,
  HandleErrorFunction,
} from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { startOutboxDispatcher } from "#app/commands/outbox-dispatcher.server.ts";
import { startExportRunner } from "#app/jobs/export-runner.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { startStateFanout } from "#app/utils/state-fanout.server.ts";
import { rollBackUnfinishedImports } from "#app/models/user-import.server.ts";
import { scheduleRetention } from "#app/models/retention.server.ts";
import { defaultToNoStore, withNoStoreDefault } from "#app/utils/cache-control.server.ts";
import { logClientError } from "#app/utils/client-error-log.server.ts";
import { NonceProvider } from "#app/utils/nonce-provider.tsx";
import { closingWhenTooLarge } from "#app/web/request-body.server.ts";

export const streamTimeout = 5_000;

// The server process removes what an import interrupted by a crash had written, delivers
// commands' after-commit effects (first whatever a crash left undelivered), deletes data past
// retention on a timer (also `npm run jobs:retention`), and builds records exports as they are
// asked for.
if (process.env.NODE_ENV !== "test") {
  void rollBackUnfinishedImports()
    .catch((error: unknown) => console.error("rolling back unfinished imports:", error))
    .then(startOutboxDispatcher);
  scheduleRetention();
  startExportRunner();
  // Several nodes on PostgreSQL: agents hear of changes made on any node.
  if (getEnv().databaseProvider === "postgresql") void startStateFanout();
}

/**
 * Logs unexpected errors once, with their stack. A visitor's 404 or an aborted request is
 * not one; another client error (a 405, a 400) is one rate-limited line (ADR 0019).
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status === 404) return;
  if (isRouteErrorResponse(error) && error.status < 500) {
    const { pathname } = new URL(request.url);
    return logClientError(String(error.status), `${request.method} ${pathname}`);
  }
  console.error(error);
};

/** Single-fetch (`.data`) answers are personal too: no-store unless the route says otherwise. */
export const handleDataRequest: HandleDataRequestFunction = (response) =>
  closingWhenTooLarge(withNoStoreDefault(response));

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  return renderDocument(request, responseStatusCode, responseHeaders, remixContext, loadContext);
}

/** What a client gets when the page could not be rendered in time: come back shortly. */
export const RENDER_RETRY_AFTER_SECONDS = 5;

function serverBusy(): Response {
  return new Response("Lull is busy right now. Try again in a few seconds.", {
    status: 503,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "Retry-After": String(RENDER_RETRY_AFTER_SECONDS),
    },
  });
}

/**
 * Renders the document; gives up after `abortAfterMs`. A page that has not
 * rendered by then (a crawler waits for all of it; a browser for its shell)
 * is answered 503 with Retry-After, not 500 with an error page: the request
 * was fine, the server was busy.
 */
export function renderDocument(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
  abortAfterMs = streamTimeout + 1000,
) {
  const nonce = loadContext.cspNonce ?? "";
  // Bots and crawlers get the whole document at once; browsers get it streamed.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let timedOut = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          // A crawler's whole document was cut short: what is left is not the page.
          if (timedOut) return resolve(serverBusy());
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          // Every page is personal: no-store unless its route says otherwise (ADR 0017).
          defaultToNoStore(responseHeaders);
          // A body refused as too large was left unread: hang up after the answer (ADR 0018).
          if (responseStatusCode === 413) responseHeaders.set("Connection", "close");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          if (timedOut) resolve(serverBusy());
          else reject(error);
        },
        onError(error: unknown) {
          if (timedOut) return; // the abort itself, answered above
          responseStatusCode = 500;
          // Errors after the shell are logged once; before it, the shell error handler reports them.
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(() => {
      timedOut = true;
      abort();
      // Still nothing to send (React does not always call back for a shell cut short): busy.
      // Once a response has been resolved, this does nothing.
      resolve(serverBusy());
    }, abortAfterMs);
  });
}

/** Agents' state streams, served on the Node response by server.ts (ADR 0029). */
export { serveStateStream } from "#app/web/state-stream.server.ts";
