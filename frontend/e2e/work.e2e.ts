// The web UI for real work, against a real `dw-sim serve`: schema editing (text with inline validation, form with
// a live preview) saved as a version and generated from; the import dialog's warehouse, replace and inferences;
// asking before a dialog with unsaved input closes; ER diagrams of 8 and 100 tables (fit, zoom, search,
// neighbours, drag, export); the query editor (statement under the cursor, worksheets, history, sort, filter,
// JSON viewer, "first N of M", full export, Cancel); a table's data preview and column profile links; tabs in the
// URL; copy buttons; the API docs offline. Screenshots go to e2e/screenshots/.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { api, BASE_URL, openBrowser, screenshot, type Browser } from "./harness";

let b: Browser;

interface Col {
  name: string;
  data_type: string;
  is_unique?: boolean;
  required?: boolean;
  faker_rule?: string;
  min_value?: number;
  max_value?: number;
  foreign_key?: { references_table: string; references_column: string };
  [k: string]: unknown;
}

const id = (name: string): Col => ({ name, data_type: "INT", is_unique: true, required: true });
const fk = (name: string, table: string, column = `${table.replace(/s$/, "")}_id`): Col => ({
  name,
  data_type: "INT",
  required: true,
  foreign_key: { references_table: table, references_column: column },
});

/** A shop of 8 tables: what a small real warehouse looks like. */
export const SHOP8 = {
  name: "shop8",
  description: "an eight-table shop",
  tables: [
    { name: "regions", target_rows: 10, columns: [id("region_id"), { name: "region_name", data_type: "VARCHAR(40)", faker_rule: "address.country" }] },
    {
      name: "customers",
      target_rows: 300,
      columns: [id("customer_id"), fk("region_id", "regions"), { name: "email", data_type: "VARCHAR(120)", faker_rule: "internet.email", is_unique: true }, { name: "signup_date", data_type: "DATE" }],
    },
    { name: "categories", target_rows: 12, columns: [id("category_id"), { name: "category_name", data_type: "VARCHAR(40)" }] },
    { name: "suppliers", target_rows: 20, columns: [id("supplier_id"), { name: "supplier_name", data_type: "VARCHAR(80)", faker_rule: "company.company" }, fk("region_id", "regions")] },
    {
      name: "products",
      target_rows: 100,
      columns: [id("product_id"), fk("category_id", "categories", "category_id"), fk("supplier_id", "suppliers"), { name: "price", data_type: "DECIMAL(10,2)", min_value: 1, max_value: 500 }],
    },
    {
      name: "orders",
      target_rows: 600,
      columns: [id("order_id"), fk("customer_id", "customers"), { name: "order_date", data_type: "DATE" }, { name: "amount", data_type: "DECIMAL(12,2)", min_value: 1, max_value: 900 }],
    },
    {
      name: "order_items",
      target_rows: 1500,
      columns: [id("order_item_id"), fk("order_id", "orders"), fk("product_id", "products"), { name: "quantity", data_type: "INT", min_value: 1, max_value: 9 }],
    },
    {
      name: "payments",
      target_rows: 600,
      columns: [id("payment_id"), fk("order_id", "orders"), { name: "method", data_type: "VARCHAR(20)" }, { name: "details", data_type: "SUPER" }],
    },
  ],
};

/** 100 tables: 10 dimensions; 90 facts and bridges, each joined to a dimension and most to an earlier fact. */
function hundredTables() {
  const tables: { name: string; target_rows: number; columns: Col[] }[] = [];
  for (let i = 0; i < 100; i++) {
    const name = `t_${String(i).padStart(3, "0")}`;
    const columns: Col[] = [id(`${name}_id`), { name: "label", data_type: "VARCHAR(30)" }];
    if (i >= 10) {
      for (const p of new Set([(i * 7) % 10, ...(i >= 20 ? [Math.floor(i / 2)] : [])])) {
        const parent = `t_${String(p).padStart(3, "0")}`;
        columns.push(fk(`${parent}_ref`, parent, `${parent}_id`));
      }
    }
    tables.push({ name, target_rows: 10, columns });
  }
  return { name: "big100", tables };
}

function inside(box: { x: number; y: number; width: number; height: number } | null, outer: { x: number; y: number; width: number; height: number } | null): boolean {
  if (!box || !outer) return false;
  return box.x >= outer.x - 1 && box.y >= outer.y - 1 && box.x + box.width <= outer.x + outer.width + 1 && box.y + box.height <= outer.y + outer.height + 1;
}

beforeAll(async () => {
  b = await openBrowser();
  for (const name of ["shop8", "big100", "people"]) {
    await fetch(`${BASE_URL}/api/experiments/${name}`, { method: "DELETE" }).catch(() => undefined);
  }
  await api(BASE_URL, "POST", "/api/experiments", SHOP8);
  await api(BASE_URL, "POST", "/api/experiments", hundredTables());
});

afterAll(async () => {
  for (const name of ["shop8", "big100", "people"]) {
    await fetch(`${BASE_URL}/api/experiments/${name}`, { method: "DELETE" }).catch(() => undefined);
  }
  await b?.close();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail") await screenshot(b.page, `FAILED-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
  expect(b.takeErrors(), "browser console errors").toEqual([]);
});

describe("schema editing", () => {
  test("inline validation points at the table, column and field", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8?tab=schema");
    const editor = page.getByRole("textbox", { name: "Schema (JSON)" });
    await editor.waitFor();
    await page.getByText(/^Valid: 8 tables/).waitFor();
    const bad = structuredClone(SHOP8);
    (bad.tables[1].columns[2] as Col).null_rate = 2;
    await editor.fill(JSON.stringify(bad, null, 2));
    const problems = page.getByRole("list", { name: "Problems" });
    await problems.getByRole("button", { name: /customers › email › null_rate/ }).click(); // jumps to it
    await expect(page.getByRole("button", { name: "Save as new version" }).isDisabled()).resolves.toBe(true);
    await expect.poll(() => page.locator(".cm-lintRange-error").count()).toBeGreaterThan(0);
    await screenshot(page, "20-schema-inline-error");
    await page.getByRole("button", { name: "Revert" }).click();
    await page.getByText(/^Valid: 8 tables/).waitFor();
  });

  test("the form edits the common fields with a live preview; saving makes a version that the next run uses", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8?tab=schema");
    await page.getByText(/^Valid: 8 tables/).waitFor();
    await page.getByRole("radiogroup", { name: "Edit as" }).getByText("Form", { exact: true }).click();
    await expect(page.getByRole("radio", { name: "Form" }).isChecked()).resolves.toBe(true);
    await page.getByLabel("Table", { exact: true }).selectOption("orders");
    await page.getByLabel("Column", { exact: true }).selectOption("amount");
    const preview = page.getByRole("region", { name: "Value preview" });
    await preview.getByRole("img", { name: /Histogram of amount/ }).waitFor();
    await page.getByLabel("Minimum").fill("100");
    await page.getByLabel("Maximum").fill("200");
    await page.getByLabel("Distribution", { exact: true }).selectOption("normal");
    await page.getByLabel("Distribution mean").fill("150");
    await page.getByLabel("Distribution stddev").fill("10");
    await page.getByLabel("Null rate").fill("0.1");
    await preview.getByText(/nulls (7|8|9|10|11|12|13)(\.\d)?%/).waitFor({ timeout: 30_000 });
    await expect(preview.locator("rect.bar").count()).resolves.toBeGreaterThan(3);
    await screenshot(page, "21-schema-form-preview");
    await expect(page.getByRole("tab", { name: "Schema •" }).count()).resolves.toBe(1); // unsaved, marked
    await page.getByRole("button", { name: "Save as new version" }).click();
    await page.getByText("Saved version 2.").waitFor();
    const versions = page.getByRole("region", { name: "Schema versions" });
    await versions.getByText("v2").waitFor();
    await versions.getByText("v1").waitFor();
    await screenshot(page, "22-schema-saved-version");
    // Generate from it: the new range and null rate are in the data.
    await page.getByRole("button", { name: "Generate data" }).click();
    const dialog = page.getByRole("dialog", { name: /Generate data/ });
    await dialog.getByLabel("Seed").fill("7");
    await dialog.getByRole("button", { name: "Start generation" }).click();
    await dialog.getByText(/^Done:/).waitFor({ timeout: 90_000 });
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    const stats = (await api(BASE_URL, "POST", "/api/experiments/shop8/query", {
      sql: "SELECT MIN(amount), MAX(amount), AVG(CASE WHEN amount IS NULL THEN 1.0 ELSE 0 END) FROM orders",
    })) as { rows: string[][] };
    const [lo, hi, nulls] = stats.rows[0].map(Number);
    expect(lo).toBeGreaterThanOrEqual(100);
    expect(hi).toBeLessThanOrEqual(200);
    expect(nulls).toBeGreaterThan(0.04);
    expect(nulls).toBeLessThan(0.2);
  });
});

describe("import dialog", () => {
  const DDL = "CREATE TABLE people (\n  id INT PRIMARY KEY,\n  email VARCHAR(200),\n  birth_date DATE,\n  price DECIMAL(10,2)\n);\n";

  test("asks before Escape or a backdrop click throws away typed input", async () => {
    const { page } = b;
    await page.goto("/");
    await page.getByRole("button", { name: "New experiment" }).click();
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.getByRole("tab", { name: "SQL import" }).click();
    await dialog.getByRole("textbox", { name: "CREATE TABLE statements" }).fill(DDL);
    await dialog.getByLabel("Experiment name").focus(); // (in the editor, Escape first closes its completion list)
    await page.keyboard.press("Escape");
    const ask = dialog.getByRole("alertdialog", { name: "Discard unsaved changes?" });
    await ask.waitFor();
    await screenshot(page, "23-discard-confirmation");
    await ask.getByRole("button", { name: "Keep editing" }).click();
    await ask.waitFor({ state: "detached" });
    await page.mouse.click(5, 700); // the backdrop
    await ask.waitFor();
    await ask.getByRole("button", { name: "Keep editing" }).click();
    await expect(dialog.getByRole("textbox", { name: "CREATE TABLE statements" }).textContent()).resolves.toContain("birth_date");
  });

  test("chooses warehouse and dialect, lists inferences to keep or drop, and replaces an experiment", async () => {
    const { page } = b;
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.getByLabel("Experiment name").fill("people");
    await dialog.getByLabel("Dialect").selectOption("snowflake");
    await dialog.getByLabel("Warehouse").selectOption("duckdb");
    await dialog.getByRole("button", { name: "Preview" }).click();
    const list = dialog.getByRole("list", { name: "Inferences" });
    await list.waitFor();
    await expect(list.getByRole("listitem").count()).resolves.toBeGreaterThanOrEqual(3);
    await list.getByRole("checkbox", { name: "Keep range of people.price" }).uncheck();
    await screenshot(page, "24-import-inferences");
    await dialog.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("heading", { level: 1, name: "people" }).waitFor();
    const schema = ((await api(BASE_URL, "GET", "/api/experiments/people")) as { schema: { tables: { columns: Col[] }[] } }).schema;
    const price = schema.tables[0].columns.find((c) => c.name === "price")!;
    expect(price.min_value).toBeUndefined(); // dropped
    expect(schema.tables[0].columns.find((c) => c.name === "email")!.faker_rule).toBe("internet.email"); // kept
    // The kept inferences link to their field in the schema editor.
    const inferred = page.getByRole("region", { name: "Inferred settings" });
    await inferred.getByRole("link", { name: "Edit faker_rule of people.email" }).click();
    await page.getByLabel("Faker rule").waitFor();
    await expect(page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.field)).resolves.toBe("faker_rule");
    await expect(page.getByLabel("Column", { exact: true }).inputValue()).resolves.toBe("email");
    expect(new URL(page.url()).searchParams.get("tab")).toBe("schema");
    await screenshot(page, "25-inference-edit-link");
    // Import again under the same name, replacing it.
    await page.goto("/");
    await page.getByRole("button", { name: "New experiment" }).click();
    const again = page.getByRole("dialog", { name: "New experiment" });
    await again.getByRole("tab", { name: "SQL import" }).click();
    await again.getByRole("textbox", { name: "CREATE TABLE statements" }).fill(DDL.replace("price", "total_price"));
    await again.getByLabel("Experiment name").fill("people");
    await again.getByRole("button", { name: "Preview" }).click();
    await again.getByRole("region", { name: "Import preview" }).waitFor();
    await again.getByLabel("Replace an existing experiment of this name").check();
    await again.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("heading", { level: 1, name: "people" }).waitFor();
    await page.getByRole("region", { name: "Table people" }).getByText("total_price").waitFor();
  });
});

describe("ER diagram", () => {
  test("8 tables: readable at 1280 px, keys marked, search, neighbours, zoom, drag, export", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8?tab=diagram");
    const canvas = page.locator(".er-canvas");
    const diagram = page.getByRole("img", { name: /Entity-relationship diagram/ });
    await diagram.waitFor();
    const frame = await canvas.boundingBox();
    for (const t of SHOP8.tables) expect(inside(await page.locator(`[data-table="${t.name}"]`).boundingBox(), frame), t.name).toBe(true);
    expect(Number(await canvas.getAttribute("data-zoom"))).toBeGreaterThanOrEqual(0.6); // fits without shrinking text away
    await expect(page.locator('[data-table="orders"] [data-column="order_id"]').getAttribute("data-keys")).resolves.toBe("PK");
    await expect(page.locator('[data-table="orders"] [data-column="customer_id"]').getAttribute("data-keys")).resolves.toBe("FK");
    await expect(page.locator('[data-table="customers"] [data-column="email"]').getAttribute("data-keys")).resolves.toBe("UQ");
    await expect(page.locator("[data-edge]").count()).resolves.toBe(8);
    await screenshot(page, "26-er-8-tables");
    await page.getByLabel("Find table").fill("payments");
    await page.getByLabel("Find table").press("Enter");
    await expect(page.locator('[data-table="payments"]').getAttribute("aria-pressed")).resolves.toBe("true");
    expect(new URL(page.url()).searchParams.get("table")).toBe("payments");
    // its neighbour (orders) stays lit, the others dim
    await expect(page.locator('[data-table="orders"]').getAttribute("class")).resolves.not.toContain("er-dim");
    await expect(page.locator('[data-table="regions"]').getAttribute("class")).resolves.toContain("er-dim");
    await screenshot(page, "27-er-8-neighbours");
    const before = Number(await canvas.getAttribute("data-zoom"));
    await page.getByRole("button", { name: "Zoom in" }).click();
    expect(Number(await canvas.getAttribute("data-zoom"))).toBeGreaterThan(before);
    await page.getByRole("button", { name: "Fit" }).click();
    const head = page.locator('[data-table="regions"]');
    const start = (await head.boundingBox())!;
    await page.mouse.move(start.x + 40, start.y + 12);
    await page.mouse.down();
    await page.mouse.move(start.x + 140, start.y + 72, { steps: 6 });
    await page.mouse.up();
    const moved = (await head.boundingBox())!;
    expect(moved.x - start.x).toBeGreaterThan(50);
    const [svgDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export SVG" }).click()]);
    const svg = readFileSync((await svgDownload.path())!, "utf8");
    expect(svgDownload.suggestedFilename()).toBe("shop8-er-diagram.svg");
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const t of SHOP8.tables) expect(svg).toContain(`data-table="${t.name}"`);
    const [pngDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export PNG" }).click()]);
    const png = readFileSync((await pngDownload.path())!);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(png.length).toBeGreaterThan(10_000);
  });

  test("100 tables: laid out, fit, zoom and search stay usable", async () => {
    const { page } = b;
    await page.goto("/experiments/big100?tab=diagram");
    const canvas = page.locator(".er-canvas");
    await page.getByRole("img", { name: /Entity-relationship diagram: 100 tables/ }).waitFor();
    await expect(page.locator("[data-table]").count()).resolves.toBe(100);
    const frame = await canvas.boundingBox();
    for (const name of ["t_000", "t_050", "t_099"]) expect(inside(await page.locator(`[data-table="${name}"]`).boundingBox(), frame), name).toBe(true);
    await screenshot(page, "28-er-100-fit");
    await page.getByLabel("Find table").fill("t_077");
    await page.getByLabel("Find table").press("Enter");
    const found = page.locator('[data-table="t_077"]');
    await expect(found.getAttribute("aria-pressed")).resolves.toBe("true");
    expect(Number(await canvas.getAttribute("data-zoom"))).toBeGreaterThanOrEqual(0.8); // zoomed in to read it
    expect(inside(await found.boundingBox(), frame)).toBe(true);
    await screenshot(page, "29-er-100-search");
    await page.getByRole("button", { name: "Zoom out" }).click();
    await page.getByRole("button", { name: "Fit" }).click();
    expect(inside(await page.locator('[data-table="t_099"]').boundingBox(), frame)).toBe(true);
  });

  test("the tab and the selection are in the URL: reload and Back work", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8?tab=diagram&table=orders");
    await expect(page.locator('[data-table="orders"]').getAttribute("aria-pressed")).resolves.toBe("true");
    await page.getByRole("tab", { name: "Runs" }).click();
    await page.getByRole("cell", { name: "completed" }).first().waitFor();
    expect(new URL(page.url()).searchParams.get("tab")).toBe("runs");
    await page.goBack();
    await page.getByRole("img", { name: /Entity-relationship diagram/ }).waitFor();
    expect(new URL(page.url()).searchParams.get("table")).toBe("orders");
  });
});

describe("browse a table", () => {
  test("a data preview sorted in the warehouse, and a link per column to its profile", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8");
    const orders = page.getByRole("region", { name: "Table orders" });
    await orders.getByRole("button", { name: "Preview data" }).click();
    const data = page.getByRole("region", { name: "Data of orders" });
    await data.getByRole("columnheader", { name: /order_id/ }).waitFor();
    await expect(data.getByRole("row").count()).resolves.toBe(51); // a page of the first 100 rows
    const ids = async () => data.getByRole("row").evaluateAll((rows) => rows.slice(1, 4).map((r) => Number(r.querySelector("td")!.textContent)));
    await data.getByRole("button", { name: "order_id" }).click();
    await data.getByRole("button", { name: "order_id" }).click(); // descending, over the whole table
    const top = (await api(BASE_URL, "POST", "/api/experiments/shop8/query", {
      sql: "SELECT order_id FROM orders ORDER BY order_id DESC LIMIT 3",
    })) as { rows: number[][] };
    await expect.poll(ids).toEqual(top.rows.map((r) => Number(r[0])));
    await screenshot(page, "30-table-preview");
    await orders.getByRole("link", { name: "Profile of orders.amount" }).click();
    const card = page.getByRole("article", { name: "Column orders.amount" });
    await card.waitFor();
    await expect(card.getAttribute("class")).resolves.toContain("column-card-highlight");
    expect(new URL(page.url()).searchParams.get("column")).toBe("orders.amount");
    await screenshot(page, "31-profile-link");
  });
});

describe("query editor", () => {
  test("runs the statement under the cursor, sorts, filters, and says first N of M", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8/query");
    const editor = page.getByRole("textbox", { name: /SQL query/ });
    await editor.fill("SELECT 1 AS one;\nSELECT order_id, amount FROM orders ORDER BY order_id");
    await editor.press("Control+End");
    await editor.press("Control+Enter");
    const results = page.getByRole("region", { name: "Query results" });
    await results.getByText(/^600 rows in/).waitFor();
    await expect(results.getByRole("columnheader").first().textContent()).resolves.toContain("order_id");
    await expect(results.getByRole("columnheader").last().getAttribute("class")).resolves.toContain("num");
    await screenshot(page, "32-query-statement-under-cursor");
    await results.getByRole("button", { name: "amount" }).click();
    const amounts = await results.getByRole("row").evaluateAll((rows) =>
      rows.slice(1).map((r) => r.querySelectorAll("td")[1].textContent ?? ""),
    );
    const numbers = amounts.filter((a) => a !== "NULL").map(Number);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    await results.getByLabel("Filter rows").fill("NULL");
    await results.getByText(/rows match$/).waitFor();
    await expect(results.locator(".null-mark").count()).resolves.toBeGreaterThan(0);
    await screenshot(page, "33-query-sorted-filtered");
    await page.getByLabel("Row limit").fill("50");
    await editor.fill("SELECT * FROM order_items");
    await editor.press("Control+Enter");
    await results.getByText(/^First 50 of 1,500 rows in/).waitFor();
    await screenshot(page, "34-query-capped");
    // The full result, without the cap, as JSON Lines.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    const lines = readFileSync((await download.path())!, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1500);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(["order_item_id", "order_id", "product_id", "quantity"]);
  });

  test("JSON / SUPER values open in a viewer", async () => {
    const { page } = b;
    await page.getByLabel("Row limit").fill("1000");
    const editor = page.getByRole("textbox", { name: /SQL query/ });
    await editor.fill(`SELECT JSON_PARSE('{"a": 1, "b": [2, 3]}') AS doc`);
    await editor.press("Control+Enter");
    await page.getByRole("button", { name: "View doc value" }).click();
    const viewer = page.getByRole("dialog", { name: "Value of doc" });
    await expect(viewer.getByLabel("JSON value").textContent()).resolves.toBe('{\n  "a": 1,\n  "b": [\n    2,\n    3\n  ]\n}');
    await screenshot(page, "35-json-cell-viewer");
    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
  });

  test("a long query shows a running timer, marks the last result stale, and Cancel interrupts it", async () => {
    const { page } = b;
    b.allowed.push(/status of 409/); // the cancelled query's own request answers 409 query_cancelled
    const editor = page.getByRole("textbox", { name: /SQL query/ });
    await editor.fill("SELECT COUNT(*) AS n_orders FROM orders");
    await editor.press("Control+Enter");
    const results = page.getByRole("region", { name: "Query results" });
    await results.getByRole("columnheader", { name: /n_orders/ }).waitFor();
    await editor.fill("SELECT SUM(a.x * b.x % 7) FROM generate_series(1, 400000) a(x), generate_series(1, 400000) b(x)");
    const started = Date.now();
    await editor.press("Control+Enter");
    const timer = page.getByRole("timer", { name: "Running for" });
    await expect.poll(() => timer.textContent(), { timeout: 20_000 }).toMatch(/Running… [1-9]\d*\.\d s/);
    await expect(results.getAttribute("data-stale")).resolves.toBe("true");
    await screenshot(page, "36-query-running-stale");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText(/the query was stopped after/).waitFor({ timeout: 30_000 });
    expect(Date.now() - started).toBeLessThan(60_000); // the engine stopped: the whole query would take far longer
    await expect(results.getAttribute("data-stale")).resolves.toBe("false");
    await screenshot(page, "37-query-cancelled");
    // the server is free again at once
    const after = (await api(BASE_URL, "POST", "/api/experiments/shop8/query", { sql: "SELECT 1" })) as { rows: unknown[][] };
    expect(after.rows).toEqual([[1]]);
  });

  test("worksheets survive a reload; the history re-runs a query", async () => {
    const { page } = b;
    await page.getByRole("button", { name: "New worksheet" }).click();
    await page.getByRole("tab", { name: "Worksheet 2" }).waitFor();
    await page.getByRole("textbox", { name: /SQL query/ }).fill("SELECT COUNT(*) AS n FROM payments");
    await page.reload();
    await page.getByRole("tab", { name: "Worksheet 2" }).waitFor();
    await expect(page.getByRole("tab", { name: "Worksheet 2" }).getAttribute("aria-selected")).resolves.toBe("true");
    await expect(page.getByRole("textbox", { name: /SQL query/ }).textContent()).resolves.toBe("SELECT COUNT(*) AS n FROM payments");
    const history = page.getByRole("region", { name: "Query history" });
    await history.getByRole("button", { name: /^Re-run SELECT COUNT\(\*\) AS n_orders FROM orders/ }).click();
    await page.getByRole("region", { name: "Query results" }).getByRole("cell", { name: "600" }).waitFor();
    await screenshot(page, "38-query-worksheets-history");
  });
});

describe("connect and docs", () => {
  test("every Connect snippet has a copy button, and none overflows", async () => {
    const { page } = b;
    await page.goto("/experiments/shop8?tab=connect");
    const psql = page.getByLabel("psql", { exact: true });
    await psql.waitFor();
    const snippets = page.locator("figure.snippet");
    const count = await snippets.count();
    expect(count).toBeGreaterThanOrEqual(4);
    await expect(page.getByRole("button", { name: /^Copy / }).count()).resolves.toBe(count);
    await page.getByRole("button", { name: "Copy psql" }).click();
    await page.getByRole("button", { name: "Copy psql" }).getByText("Copied").waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(await psql.textContent());
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 });
      const overflow = await page.evaluate(() => {
        const main = document.querySelector("main")!.getBoundingClientRect();
        return [...document.querySelectorAll("figure.snippet pre")].filter((p) => p.getBoundingClientRect().right > main.right + 1).length;
      });
      expect(overflow, `snippets wider than the page at ${width} px`).toBe(0);
      await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      await screenshot(page, `39-connect-copy-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("the API docs work offline (no request leaves the machine)", async () => {
    const { page, context } = b;
    const outside: string[] = [];
    await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      outside.push(route.request().url());
      return route.abort();
    });
    try {
      await page.goto("/docs");
      await page.locator(".swagger-ui .info .title").filter({ hasText: "dw-sim" }).waitFor({ timeout: 30_000 });
      await page.locator(".opblock-summary-path").filter({ hasText: "/api/experiments/{name}/schema" }).first().waitFor();
      await screenshot(page, "40-api-docs-offline");
      await page.goto("/redoc");
      await page.getByRole("heading", { name: /dw-sim/ }).first().waitFor({ timeout: 30_000 });
      expect(outside.filter((u) => !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
    } finally {
      await context.unroute(/^(?!http:\/\/127\.0\.0\.1)/);
    }
  });
});
