// The web UI against a real `dw-sim serve`: import DDL, create from JSON, generate with live progress, look at the
// ER diagram and a histogram, query and download CSV, delete. The tests run in order and share the server's state.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { openBrowser, REPO, screenshot, type Browser } from "./harness";

const ECOMMERCE = join(REPO, "dw_simulator/examples/ecommerce_experiment.json");
const SALES_SQL = join(REPO, "dw_simulator/examples/sales.sql");

let b: Browser;

/** The fields of one CSV line (quoted or not; no embedded newlines in these tests). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]);
    if (m[3] === "") break;
  }
  return out;
}

beforeAll(async () => {
  b = await openBrowser();
});

afterAll(async () => {
  await b?.close();
});

afterEach(() => {
  // Any browser console error fails the test that caused it.
  expect(b.takeErrors(), "browser console errors").toEqual([]);
});

describe("dw-sim web UI", () => {
  test("the empty list offers the brief's examples", async () => {
    const { page } = b;
    await page.goto("/");
    await page.getByRole("heading", { name: "No experiments yet" }).waitFor();
    await expect(page.getByRole("button", { name: /Use the .* example/ }).count()).resolves.toBeGreaterThanOrEqual(4);
    await screenshot(page, "01-empty-list");
    // Keyboard: the dialog opens from the keyboard, traps focus, closes on Escape and gives focus back.
    const create = page.getByRole("button", { name: "New experiment" });
    await create.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.waitFor();
    await expect(dialog.getByRole("tab", { name: "Schema (JSON/YAML)" }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press("ArrowRight");
    await expect(dialog.getByRole("tab", { name: "SQL import" }).getAttribute("aria-selected")).resolves.toBe("true");
    for (let i = 0; i < 12; i++) await page.keyboard.press("Tab");
    await expect(dialog.evaluate((el) => el.contains(document.activeElement))).resolves.toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect(create.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
  });

  test("imports the composite-key DDL through the SQL tab and shows its warning banner", async () => {
    const { page } = b;
    await page.getByRole("button", { name: "New experiment" }).click();
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.getByRole("tab", { name: "SQL import" }).click();
    await dialog.getByLabel("SQL file").setInputFiles(SALES_SQL);
    await expect.poll(() => dialog.getByLabel("Experiment name").inputValue()).toBe("sales");
    await dialog.getByLabel("Dialect").selectOption("redshift");
    await dialog.getByRole("button", { name: "Preview" }).click();
    const preview = dialog.getByRole("region", { name: "Import preview" });
    await preview.getByText(/composite primary key/i).first().waitFor();
    // The interpreted columns: the DECIMAL keeps its precision, the key columns are required.
    await expect(preview.getByRole("rowheader", { name: "region_id" }).count()).resolves.toBe(1);
    await expect(preview.getByText("DECIMAL(10,2)").count()).resolves.toBeGreaterThan(0);
    await screenshot(page, "02-sql-import-preview");
    await dialog.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("heading", { level: 1, name: "sales" }).waitFor();
    const banner = page.getByRole("status").filter({ hasText: /composite primary key/i }).first();
    await banner.waitFor();
    await screenshot(page, "03-sql-import-warning-banner");
    await banner.getByRole("button", { name: "Dismiss" }).click();
    await banner.waitFor({ state: "detached" });
  });

  test("creates the ecommerce experiment through the JSON tab", async () => {
    const { page } = b;
    await page.getByRole("link", { name: "Experiments" }).first().click();
    const sales = page.getByRole("row").filter({ hasText: "sales" }).first();
    await sales.waitFor();
    // The warnings badge explains itself on hover.
    await sales.getByRole("button", { name: /1 warning/ }).hover();
    const tip = sales.getByRole("tooltip").filter({ hasText: /composite primary key/ });
    await tip.waitFor({ state: "visible" });
    // Really on screen, not clipped by the table's scroll box: the point at its centre belongs to it.
    await expect(
      tip.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
      }),
    ).resolves.toBe(true);
    await screenshot(page, "04-list-warning-tooltip");
    await page.getByRole("button", { name: "New experiment" }).click();
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.getByRole("radio", { name: "JSON" }).check();
    await dialog.getByRole("textbox", { name: "Schema" }).fill(readFileSync(ECOMMERCE, "utf8"));
    await screenshot(page, "04-json-schema-tab-filled");
    await dialog.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("heading", { level: 1, name: "ecommerce_experiment" }).waitFor();
    await page.getByRole("region", { name: "Table customers" }).waitFor();
    await page.getByRole("region", { name: "Table orders" }).getByText("→ customers.customer_id").waitFor();
    await screenshot(page, "05-experiment-tables");
  });

  test("generates with live per-table progress to completion", async () => {
    const { page } = b;
    await page.getByRole("button", { name: "Generate data" }).click();
    const dialog = page.getByRole("dialog", { name: /Generate data/ });
    await dialog.getByLabel("Rows for customers").fill("2000");
    await dialog.getByLabel("Rows for orders").fill("20000");
    await dialog.getByLabel("Seed").fill("42");
    await dialog.getByRole("button", { name: "Start generation" }).click();
    const orders = dialog.getByRole("progressbar", { name: "Progress of orders" });
    await orders.waitFor();
    await dialog.getByText(/^Done:/).waitFor({ timeout: 90_000 });
    await expect(orders.getAttribute("aria-valuenow")).resolves.toBe("20000");
    // The numbers came over the Server-Sent Events stream.
    const events = Number(await dialog.getByRole("region", { name: "Run progress" }).getAttribute("data-progress-events"));
    expect(events).toBeGreaterThanOrEqual(2);
    await expect(
      dialog.getByRole("progressbar", { name: "Progress of customers" }).getAttribute("aria-valuenow"),
    ).resolves.toBe("2000");
    await expect(dialog.getByText(/22,000 rows/).count()).resolves.toBe(1);
    await screenshot(page, "06-generate-done");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByText("20,000 loaded").waitFor();
    await page.getByRole("tab", { name: "Runs" }).click();
    await page.getByRole("cell", { name: "completed" }).first().waitFor();
  });

  test("shows the ER diagram and a histogram", async () => {
    const { page } = b;
    await page.getByRole("tab", { name: "Diagram" }).click();
    const diagram = page.getByRole("img", { name: /Entity-relationship diagram/ });
    await diagram.waitFor();
    await expect(diagram.getAttribute("aria-label")).resolves.toContain(
      "orders.customer_id references customers.customer_id",
    );
    await expect(page.locator('[data-edge="orders->customers"]').count()).resolves.toBe(1);
    await screenshot(page, "07-er-diagram");
    await page.getByRole("tab", { name: "Profile" }).click();
    const card = page.getByRole("article", { name: "Column orders.order_total" });
    await card.getByRole("img", { name: /Histogram of orders.order_total/ }).waitFor();
    await expect(card.locator("rect.bar").count()).resolves.toBeGreaterThan(3);
    await page.getByRole("article", { name: "Column customers.email" }).getByTestId("top-values").waitFor();
    await screenshot(page, "08-profile-histogram");
  });

  test("shows ready-to-paste connection settings for the experiment", async () => {
    const { page } = b;
    await page.getByRole("tab", { name: "Connect" }).click();
    const psql = page.getByLabel("psql", { exact: true });
    await psql.waitFor();
    await expect(psql.textContent()).resolves.toContain("/ecommerce_experiment?sslmode=require");
    await expect(page.getByLabel("dbt profiles.yml (redshift)", { exact: true }).textContent()).resolves.toContain(
      "dbname: ecommerce_experiment",
    );
    await screenshot(page, "08b-connect");
  });

  test("runs a query with Ctrl-Enter and downloads the result as CSV", async () => {
    const { page } = b;
    await page.getByRole("link", { name: "Query", exact: true }).click();
    const editor = page.getByRole("textbox", { name: /SQL query/ });
    await editor.fill("SELECT customer_id, email\nFROM customers\nORDER BY customer_id\nLIMIT 120");
    await editor.press("Control+Enter");
    const results = page.getByRole("region", { name: "Query results" });
    await results.getByText(/^120 rows in/).waitFor();
    await expect(results.getByRole("columnheader").first().textContent()).resolves.toMatch(/customer_id/i);
    await expect(results.getByRole("row").count()).resolves.toBe(51); // header + a page of 50
    await results.getByRole("button", { name: "Next" }).click();
    await results.getByText(/Rows 51–100 of 120/).waitFor();
    const firstId = await results.getByRole("row").nth(1).getByRole("cell").first().textContent();
    await expect(page.getByRole("complementary").getByRole("button", { name: /^SELECT customer_id/ }).count()).resolves.toBe(1);
    await screenshot(page, "09-query-results");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/).map(csvFields);
    expect(csv[0].map((h) => h.toLowerCase())).toEqual(["customer_id", "email"]);
    expect(csv).toHaveLength(121);
    expect(csv[51][0]).toBe(firstId);
    expect(csv[1][0]).toMatch(/^\d+$/);
    expect(csv[1][1]).toMatch(/^[^@\s]+@[^@\s]+$/);
  });

  test("works in a narrow window", async () => {
    const { page } = b;
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await page.goto("/");
      await page.getByRole("row").filter({ hasText: "ecommerce_experiment" }).waitFor();
      await screenshot(page, "10-narrow-list");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "page wider than the window").toBeLessThanOrEqual(0);
      await page.getByRole("link", { name: "ecommerce_experiment", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "ecommerce_experiment" }).waitFor();
      await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      await screenshot(page, "11-narrow-experiment");
      await page.getByRole("link", { name: "Query", exact: true }).click();
      await page.getByRole("heading", { name: "Query ecommerce_experiment" }).waitFor();
      await page.getByRole("textbox", { name: /SQL query/ }).press("Control+Enter");
      await page.getByRole("region", { name: "Query results" }).waitFor();
      await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      await screenshot(page, "12-narrow-query");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test("deletes experiments after naming the tables it drops", async () => {
    const { page } = b;
    await page.goto("/");
    await page.getByRole("button", { name: "Delete ecommerce_experiment" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete ecommerce_experiment?" });
    const drops = dialog.getByRole("list", { name: "Tables to drop" });
    await drops.getByRole("listitem").first().waitFor();
    await expect(drops.getByRole("listitem").allTextContents()).resolves.toHaveLength(2);
    await screenshot(page, "13-delete-confirmation");
    await dialog.getByRole("button", { name: "Delete experiment" }).click();
    await page.getByText(/Deleted ecommerce_experiment \(2 tables dropped\)/).waitFor();
    await page.getByRole("row").filter({ hasText: "ecommerce_experiment" }).waitFor({ state: "detached" });
    await page.getByRole("row").filter({ hasText: "sales" }).waitFor();
    await page.getByRole("button", { name: "Delete sales" }).click();
    await page.getByRole("dialog", { name: "Delete sales?" }).getByRole("button", { name: "Delete experiment" }).click();
    await page.getByRole("heading", { name: "No experiments yet" }).waitFor();
    await screenshot(page, "14-deleted");
  });
});
