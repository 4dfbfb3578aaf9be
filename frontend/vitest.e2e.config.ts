import { defineConfig } from "vitest/config";

// End-to-end tests: a real browser (Debian's chromium via playwright-core) against a real `dw-sim serve`, whose
// address scripts/test-web.sh passes in DW_SIM_E2E_URL. One file at a time; each test drives a whole flow.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // expect.poll retries a real condition; its 1 s default is too short for a loaded 2-core CI machine
    expect: { poll: { timeout: 15_000 } },
  },
});
