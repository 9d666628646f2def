/**
 * Every route module in app/routes, found on disk rather than listed by hand,
 * with the URL pattern, parent and kind Remix gives it. The file names are
 * read with `readdirSync`; turning a Remix v2 flat-route name into its URL
 * and parent (`admin.users.$userId_.data` → `/admin/users/:userId/data`
 * inside `routes/admin`, `$ackId[.json]` → `:ackId.json`) is done by Remix's
 * own `flatRoutes`, the function the Vite plugin runs at build time, so the
 * tests route exactly as the built app does. A file that `flatRoutes` does not
 * turn into a route (or the reverse) fails `loadRouteFiles`.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { flatRoutes, routeModuleExts } from "@remix-run/dev/dist/config/flat-routes.js";
import type { ServerBuild } from "@remix-run/node";
import type { TestRoute } from "./remix-handler.ts";

const APP_DIR = path.resolve(import.meta.dirname, "../app");
export const ROUTES_DIR = path.join(APP_DIR, "routes");
/** vite.config.ts's `ignoredRouteFiles`. */
const IGNORED_ROUTE_FILES = ["**/*.test.{ts,tsx}", "**/.*"];

type RouteModule = ServerBuild["routes"][string]["module"];

export type RouteFile = {
  /** Remix's route id, e.g. "routes/exemptions.$exemptionId". */
  id: string;
  /** The file, relative to app/routes (e.g. "pauses.tsx"). */
  file: string;
  parentId: string;
  path: string | undefined;
  index: boolean;
  /** The URL pattern, e.g. "/exemptions/:exemptionId" ("/" for the home page). */
  pattern: string;
  /** Dynamic segments of the pattern, in order (e.g. ["exemptionId"]). */
  params: string[];
  /** A resource route (no UI: JSON, a file, a stream) has no `.data` and no document. */
  resource: boolean;
  hasLoader: boolean;
  hasAction: boolean;
  module: RouteModule;
};

/**
 * The route module files on disk (what a developer adds or removes), relative
 * to app/routes: `pauses.tsx`, or `folder/route.tsx` for a route folder.
 */
export function routeFileNames(): string[] {
  const isModule = (name: string) =>
    routeModuleExts.includes(path.extname(name)) &&
    !/\.test\.\w+$/.test(name) &&
    !name.startsWith(".");
  return readdirSync(ROUTES_DIR, { withFileTypes: true })
    .flatMap((e) => {
      if (e.isFile()) return isModule(e.name) ? [e.name] : [];
      if (!e.isDirectory()) return [];
      return readdirSync(path.join(ROUTES_DIR, e.name))
        .filter((name) => isModule(name) && path.parse(name).name === "route")
        .map((name) => `${e.name}/${name}`);
    })
    .sort();
}

export async function loadRouteFiles(): Promise<RouteFile[]> {
  const files = routeFileNames();
  const manifest = Object.values(flatRoutes(APP_DIR, IGNORED_ROUTE_FILES));
  const inRoutes = (file: string) => path.relative("routes", file);
  const routed = manifest.map((r) => inRoutes(r.file)).sort();
  if (JSON.stringify(routed) !== JSON.stringify(files)) {
    throw new Error(
      `app/routes holds ${files.join(", ")} but Remix routes ${routed.join(", ")}: the two lists must agree.`,
    );
  }
  const byId = new Map(manifest.map((r) => [r.id, r]));
  const patternOf = (id: string | undefined): string => {
    const route = id ? byId.get(id) : undefined;
    if (!route) return "";
    const own = route.path ? `/${route.path}` : "";
    return `${patternOf(route.parentId)}${own}`;
  };
  const routes: RouteFile[] = [];
  for (const route of manifest) {
    const module = (await import(path.join(APP_DIR, route.file))) as RouteModule;
    const pattern = patternOf(route.id) || "/";
    routes.push({
      id: route.id,
      file: inRoutes(route.file),
      parentId: route.parentId ?? "root",
      path: route.path,
      index: route.index === true,
      pattern,
      params: [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!),
      resource: typeof module.default !== "function" && typeof module.ErrorBoundary !== "function",
      hasLoader: typeof module.loader === "function",
      hasAction: typeof module.action === "function",
      module,
    });
  }
  return routes.sort((a, b) => a.id.localeCompare(b.id));
}

/** The routes as `remixHandler` takes them: the whole app, nested as it is built. */
export function asTestRoutes(routes: RouteFile[]): TestRoute[] {
  return routes.map(({ id, path, index, parentId, module }) => ({
    id,
    path,
    index: index || undefined,
    parentId,
    module,
  }));
}

/** `pattern` with each `:param` replaced by `values[param]` (URL-encoded). */
export function fillPattern(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${pattern}.`);
    return encodeURIComponent(value);
  });
}
