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
  // The dependency scanner follows route modules into *.server.ts files. @node-rs/argon2's
  // browser entry points at a WASI package that is never installed, so pre-bundling it fails
  // and every client module answers 504 (Outdated Optimize Dep). nodemailer is found late (after
  // the first page has loaded), which re-optimises and reloads that page. Neither runs in a browser.
  // The rest are pre-bundled at start-up, so the first page a developer opens does not race the
  // optimiser's discovery (a mid-load re-optimisation reloads the page with two Reacts).
  optimizeDeps: {
    exclude: ["@node-rs/argon2", "nodemailer"],
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
      "recharts",
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
