/**
 * The HTTP server: Express in front of Remix. It is the one place every
 * request passes through, so it sets the security headers, refuses
 * cross-origin mutations on every route (page and resource routes alike),
 * and serves the built assets. In development Vite runs inside it.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type Request, type Response } from "express";
import type { LullLoadContext } from "#app/load-context.ts";
import { claimDatabaseOrExit } from "#app/utils/database-claim.server.ts";
import { getEnv } from "#app/utils/env.server.ts";
import { logClientError } from "#app/utils/client-error-log.server.ts";
import { formBodiesOnly } from "#app/utils/form-body.server.ts";
import { legacyDataRequestsRefused } from "#app/utils/legacy-data.server.ts";
import { requestStarted } from "#app/utils/pace.ts";
import { checkRequestOrigin } from "#app/utils/request-origin.server.ts";
import { createCspNonce, securityHeaders } from "#app/utils/security-headers.server.ts";

const env = getEnv();
// On a migrated database, before anything touches it; one server per SQLite file (ADR 0019, ADR 0035).
await claimDatabaseOrExit("Lull");

const viteDevServer = env.isProduction
  ? undefined
  : await import("vite").then((vite) =>
      vite.createServer({ server: { middlewareMode: true }, appType: "custom" }),
    );

const app = express();
app.disable("x-powered-by");
if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);

// Background work (imports, the outbox, retention) gives way to requests being served.
app.use((req, res, next) => {
  const answered = requestStarted();
  res.once("finish", answered);
  res.once("close", answered);
  next();
});

// "Sign in with …" and "Sign out" post to Lull, which sends the browser on to the provider.
const ssoFormTargets = env.oidc ? [new URL(env.oidc.issuer).origin] : [];

app.use((req, res, next) => {
  const nonce = createCspNonce();
  res.locals.cspNonce = nonce;
  for (const [name, value] of Object.entries(
    securityHeaders({ nonce, isProduction: env.isProduction, formTargets: ssoFormTargets }),
  )) {
    res.setHeader(name, value);
  }
  next();
});

app.use((req, res, next) => {
  const verdict = checkRequestOrigin({
    method: req.method,
    protocol: req.protocol,
    host: req.headers.host,
    path: req.path,
    headers: {
      origin: req.headers.origin,
      secFetchSite: req.get("sec-fetch-site"),
      authorization: req.headers.authorization,
    },
  });
  if (verdict.allowed) return next();
  logClientError("403 cross-origin", `${req.method} ${req.path}: ${verdict.reason}`);
  res
    .status(403)
    .type("text/plain")
    .send(
      "This request came from another site, so Lull refused it to protect your account. Go back to Lull and try again there.",
    );
});

// Agents' streams must not be buffered by compression, and their batches
// arrive gzipped already.
app.use(
  compression({
    filter: (req, res) => !req.path.startsWith("/api/agent/") && compression.filter(req, res),
  }),
);

if (viteDevServer) {
  app.use(viteDevServer.middlewares);
} else {
  app.use(
    "/assets",
    express.static("build/client/assets", { immutable: true, maxAge: "1y", index: false }),
  );
  app.use(express.static("build/client", { maxAge: "1h", index: false }));
}

const build = viteDevServer
  ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
  : ((await import(
      /* @vite-ignore */ pathToFileURL(path.resolve("build/server/index.js")).href
    )) as ServerBuild);

// Agents' state streams stay open for hours: they are served on the Node response itself,
// by the app build's entry module, rather than through a Remix route (ADR 0029).
type AgentStreamEntry = { serveStateStream: (req: Request, res: Response) => Promise<void> };
app.get("/api/agent/v1/state/stream", (req, res, next) => {
  const loaded = typeof build === "function" ? build() : Promise.resolve(build);
  loaded
    .then((b) => (b.entry.module as unknown as AgentStreamEntry).serveStateStream(req, res))
    .catch(next);
});

// Pages take forms: any other body is a 415 and one rate-limited log line, not a 500 (ADR 0019);
// Remix's old ?_data= requests are a 400 (its code path for them can crash).
app.use(legacyDataRequestsRefused);
app.use(formBodiesOnly);

app.all(
  "*",
  createRequestHandler({
    build,
    mode: env.NODE_ENV,
    getLoadContext: (req, res): LullLoadContext => ({
      cspNonce: String(res.locals.cspNonce),
      clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    }),
  }),
);

const server = app.listen(env.PORT, env.HOST, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  console.log(`Lull is listening on http://${env.HOST}:${port}`);
  if (!env.isProduction) {
    console.log(
      "Demo accounts (password lull-demo-password): worker@lull.test, reviewer@lull.test, admin@lull.test",
    );
  }
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
