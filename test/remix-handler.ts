/**
 * Remix's own request handler over a server build assembled from the app's
 * source modules (app/entry.server.tsx, app/root.tsx and the route modules a
 * test names), without `npm run build`. It answers documents and single-fetch
 * `.data` requests exactly as the production server does, so tests can read
 * the headers a browser gets, which calling a loader or action alone cannot
 * show (Remix merges and drops route headers on the way out).
 */
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { LullLoadContext } from "#app/load-context.ts";
import * as entryServer from "#app/entry.server.tsx";
import * as root from "#app/root.tsx";
import { TEST_CONTEXT } from "./route-harness.ts";

type RouteModule = ServerBuild["routes"][string]["module"];

export type TestRoute = {
  /** Remix's id for the file, e.g. "routes/devices". */
  id: string;
  path?: string;
  index?: boolean;
  /** The layout route it renders inside (e.g. "routes/admin"); the root when absent. */
  parentId?: string;
  module: RouteModule;
};

export function remixHandler(
  routes: TestRoute[],
  context: LullLoadContext = TEST_CONTEXT,
  /** Another document renderer in place of entry.server's default (e.g. a shorter timeout). */
  entryModule: ServerBuild["entry"]["module"] = entryServer,
): (request: Request) => Promise<Response> {
  const all = [
    { id: "root", path: "", index: undefined, parentId: undefined, module: root as RouteModule },
    ...routes.map((r) => ({ parentId: "root", ...r })),
  ];
  const build: ServerBuild = {
    mode: "production",
    entry: { module: entryModule },
    routes: Object.fromEntries(
      all.map(({ id, path, index, parentId, module }) => [
        id,
        { id, path, index, parentId, caseSensitive: undefined, module },
      ]),
    ),
    assets: {
      url: "/assets/manifest-test.js",
      version: "test",
      entry: { module: "/assets/entry.client-test.js", imports: [] },
      routes: Object.fromEntries(
        all.map(({ id, path, index, parentId, module }) => [
          id,
          {
            id,
            path,
            index,
            parentId,
            caseSensitive: undefined,
            hasAction: typeof module.action === "function",
            hasLoader: typeof module.loader === "function",
            hasClientAction: false,
            hasClientLoader: false,
            hasErrorBoundary: typeof module.ErrorBoundary === "function",
            module: `/assets/${id.replace(/\W/g, "_")}-test.js`,
            imports: [],
            css: [],
          },
        ]),
      ),
    },
    basename: "/",
    publicPath: "/",
    assetsBuildDirectory: "build/client",
    future: {
      v3_fetcherPersist: true,
      v3_relativeSplatPath: true,
      v3_throwAbortReason: true,
      v3_singleFetch: true,
      v3_lazyRouteDiscovery: true,
    },
    isSpaMode: false,
  };
  const handler = createRequestHandler(build, "production");
  return (request) => handler(request, context);
}
