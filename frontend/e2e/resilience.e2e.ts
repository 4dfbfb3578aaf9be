// Progress and failure on a server of the test's own: totals that match what was asked, the generate → load →
// profile phases, and a server that stops in the middle of a run and comes back (the page says so, retries, and
// shows the run's real final state). Then the first paint on a slow link (50 KB/s, 400 ms round trips).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { api, BASE_URL, CHROMIUM, freePort, openBrowser, OwnServer, screenshot, SCREENSHOTS, type Browser } from "./harness";
import { chromium } from "playwright-core";

const SCHEMA = {
  name: "progress",
  tables: [
    { name: "customers", target_rows: 500, columns: [{ name: "customer_id", data_type: "INT", is_unique: true, required: true }, { name: "email", data_type: "VARCHAR(80)", faker_rule: "internet.email" }] },
    {
      name: "events",
      target_rows: 2000,
      columns: [
        { name: "event_id", data_type: "BIGINT", is_unique: true, required: true },
        { name: "customer_id", data_type: "INT", required: true, foreign_key: { references_table: "customers", references_column: "customer_id" } },
        { name: "payload", data_type: "VARCHAR(200)" },
      ],
    },
  ],
};

let server: OwnServer;
let dataRoot: string;
let b: Browser;

beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), "dw-sim-e2e-own-"));
  server = new OwnServer(dataRoot, await freePort());
  await server.start();
  await api(server.url, "POST", "/api/experiments", SCHEMA);
  b = await openBrowser(server.url);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await server?.kill();
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
});

afterEach(() => {
  expect(b.takeErrors(), "browser console errors").toEqual([]);
});

describe("progress and failure", () => {
  test("phases are shown as the run moves from generate to load", async () => {
    const { page } = b;
    await page.goto("/experiments/progress");
    await page.getByRole("button", { name: "Generate data" }).click();
    const dialog = page.getByRole("dialog", { name: /Generate data/ });
    await dialog.getByRole("button", { name: "Start generation" }).click();
    await dialog.getByText(/^Done:/).waitFor({ timeout: 90_000 });
    const phases = dialog.getByRole("list", { name: "Phases" });
    const items = await phases.getByRole("listitem").allTextContents();
    expect(items).toEqual(["Generate ✓", "Load ✓"]);
    await screenshot(page, "41-run-phases-done");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
  });

  test("a 3M-row run shows x / 3,000,000; the server stops mid-run and comes back", async () => {
    const { page } = b;
    // While the server is down, the page's retries fail to connect: expected, and only then.
    b.allowed.push(/ERR_CONNECTION_REFUSED|Failed to load resource|net::ERR_/);
    await page.getByRole("button", { name: "Generate data" }).click();
    const dialog = page.getByRole("dialog", { name: /Generate data/ });
    await dialog.getByLabel("Rows for customers").fill("3000000");
    await dialog.getByLabel("Rows for events").fill("3000000");
    await dialog.getByRole("button", { name: "Start generation" }).click();
    const bar = dialog.getByRole("progressbar", { name: "Progress of customers" });
    await bar.waitFor();
    await expect(bar.getAttribute("aria-valuemax")).resolves.toBe("3000000");
    await dialog.getByText(/ \/ 3,000,000$/).first().waitFor();
    await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 60_000 }).toBeGreaterThan(0);
    await screenshot(page, "42-run-3m-progress");
    await server.kill();
    await dialog.getByText("Lost contact with the dw-sim server:").waitFor({ timeout: 30_000 });
    await expect.poll(() => dialog.getByText(/attempt [2-9]/).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, "43-server-lost");
    await server.start();
    await dialog.getByText("The server answered again.").waitFor({ timeout: 60_000 });
    const failed = dialog.getByRole("alert").filter({ hasText: /interrupted/ });
    await failed.waitFor();
    await screenshot(page, "44-server-back-final-state");
    const runs = (await api(server.url, "GET", "/api/experiments/progress/runs")) as { status: string }[];
    expect(runs[0].status).toBe("FAILED"); // what the page shows is what the server recorded
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
  });
});

describe("a slow link", () => {
  test("the skeleton paints before the app's code has arrived (50 KB/s, 400 ms round trips)", async () => {
    const profile = mkdtempSync(join(tmpdir(), "dw-sim-e2e-slow-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      viewport: { width: 1280, height: 800 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 400,
        downloadThroughput: 50 * 1024,
        uploadThroughput: 50 * 1024,
      });
      const start = Date.now();
      await page.goto(`${BASE_URL}/`, { waitUntil: "commit", timeout: 60_000 });
      await page.locator("[data-boot-skeleton]").waitFor({ timeout: 30_000 });
      await page.getByRole("button", { name: "New experiment" }).waitFor({ timeout: 60_000 });
      const appReadyWall = Date.now() - start;
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const fcp = performance.getEntriesByName("first-contentful-paint")[0];
        const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter((r) =>
          r.name.endsWith(".js"),
        );
        const css = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter((r) => r.name.endsWith(".css"));
        return {
          fcp_ms: fcp ? Math.round(fcp.startTime) : null,
          html_response_end_ms: Math.round(nav.responseEnd),
          main_js_end_ms: Math.round(Math.max(...scripts.map((s) => s.responseEnd))),
          app_ready_ms: Math.round(performance.now()),
          js_transfer_bytes: scripts.reduce((a, s) => a + s.transferSize, 0),
          js_files: scripts.map((s) => ({ url: s.name.replace(/^.*\/assets\//, ""), transfer: s.transferSize, encoded: s.encodedBodySize })),
          css_transfer_bytes: css.reduce((a, s) => a + s.transferSize, 0),
          html_transfer_bytes: nav.transferSize,
        };
      });
      const report = { conditions: "50 KB/s down and up, 400 ms latency, cache off", app_ready_wall_ms: appReadyWall, ...timing };
      writeFileSync(join(SCREENSHOTS, "perf-throttled.json"), JSON.stringify(report, null, 2));
      console.log("slow-link timings:", JSON.stringify(report));
      await page.screenshot({ path: join(SCREENSHOTS, "45-slow-link-loaded.png"), fullPage: true });
      expect(timing.fcp_ms).not.toBeNull();
      // The first paint (the skeleton in index.html) comes before the app's code has finished arriving.
      expect(timing.fcp_ms!).toBeLessThan(timing.main_js_end_ms);
      // What the first screen needs is small: compressed JS under 150 kB.
      expect(timing.js_transfer_bytes).toBeLessThan(150 * 1024);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
