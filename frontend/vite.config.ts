/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API that `npm run dev` proxies to: `dw-sim serve` on its default address (override with DW_SIM_API).
const api = process.env.DW_SIM_API ?? "http://127.0.0.1:8000";
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  plugins: [react()],
  // The build goes into the Python package, which `dw-sim serve` serves at `/` (gitignored).
  build: {
    outDir: fileURLToPath(new URL("../dw_simulator/web", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/health": { target: api, changeOrigin: false },
    },
    // The example schemas are read from dw_simulator/examples (one source for the CLI, API and UI).
    fs: { allow: [repoRoot] },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
