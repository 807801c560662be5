import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves dist/ at `/` (hashed names under assets/, cached for a year) and the API at
// /api on the same origin. `pnpm --filter @langguard/console dev` proxies /api to a local gateway.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Read by scripts/build.mjs to measure the JavaScript a first visit loads.
    manifest: true,
    target: "es2022",
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
