/// <reference types="vitest/config" />
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** Write `.br` and `.gz` copies of the built assets, which `dw-sim serve` sends to browsers that accept them. */
function precompress(): Plugin {
  let outDir = "";
  return {
    name: "dw-sim-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle() {
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir)) {
          const path = join(dir, entry);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|svg|json|txt|map)$/.test(entry) && statSync(path).size >= 1024) {
            const data = readFileSync(path);
            writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
            writeFileSync(
              `${path}.br`,
              brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
            );
          }
        }
      };
      walk(join(outDir, "assets"));
    },
  };
}

// The API that `npm run dev` proxies to: `dw-sim serve` on its default address (override with DW_SIM_API).
const api = process.env.DW_SIM_API ?? "http://127.0.0.1:8000";
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  plugins: [react(), precompress()],
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
    testTimeout: 20_000, // lazy chunks and CodeMirror take a while on a busy machine
  },
});
