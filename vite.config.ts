/// <reference types="vitest/config" />
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { testProjects } from "./tests/setup/projects";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// `shopify app dev` serves the app on the port it chooses through PORT and FRONTEND_PORT.
const port = Number(process.env.PORT || 3000);
const hmrPort = Number(process.env.FRONTEND_PORT || 8002);

export default defineConfig({
  server: {
    port,
    hmr: { protocol: "ws", host: "localhost", port: hmrPort, clientPort: hmrPort },
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    // The Remix plugin builds the app; vitest runs the sources directly.
    ...(process.env.VITEST
      ? []
      : [
          remix({
            ignoredRouteFiles: ["**/.*"],
            future: {
              v3_fetcherPersist: true,
              v3_relativeSplatPath: true,
              v3_throwAbortReason: true,
              v3_lazyRouteDiscovery: true,
              v3_singleFetch: true,
              v3_routeConfig: false,
            },
          }),
        ]),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
  test: { projects: testProjects() },
});
