import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  server: { host: "127.0.0.1" },
  // The dev-server e2e test optimises dependencies from nothing, as on a fresh clone.
  cacheDir: process.env.LULL_VITE_CACHE_DIR ?? "node_modules/.vite",
  build: { target: "es2022", cssMinify: true },
  // Dependencies are never discovered while a page loads: the client's are listed here and
  // pre-bundled at start-up. Discovery follows route modules into *.server.ts files and finds
  // server-only packages late (nodemailer, rate-limiter-flexible…); each late find re-optimises
  // and reloads the page a developer just opened (mid-hydration, with two Reacts), and
  // @node-rs/argon2's browser entry names a WASI package that is never installed (every client
  // module then answered 504). A new client dependency goes in `include`; the dev-server e2e
  // test fails on a page whose JavaScript does not load.
  optimizeDeps: {
    noDiscovery: true,
    include: [
      "react",
      "react-dom",
      "react-dom/client",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "@remix-run/react",
      "@remix-run/node",
      "@conform-to/react",
      "@conform-to/zod",
      "zod",
      "diff",
      "@prisma/client/runtime/client",
      "@prisma/adapter-better-sqlite3",
    ],
  },
  plugins: [
    tailwindcss(),
    remix({
      ignoredRouteFiles: ["**/*.test.{ts,tsx}", "**/.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
});
