import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { App } from "../App";
import { loadRecent } from "../pages/QueryPage";
import { editorText, mockApi, pending, reply, setEditorText } from "../test/helpers";
import { detail } from "../test/fixtures";

function at(path: string) {
  window.history.replaceState(null, "", path);
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => [i + 1, `user${i + 1}@example.org`]);

describe("Query page", () => {
  test("shows a loading state, then an editor with a starter query", async () => {
    let release: (v: unknown) => void = () => undefined;
    mockApi({ "GET /api/experiments/shop": () => new Promise((r) => (release = r)) });
    at("/experiments/shop/query");
    render(<App />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading shop");
    release(detail());
    await screen.findByRole("heading", { name: "Query shop" });
    await waitFor(() => expect(editorText(/SQL query/)).toContain("FROM customers"));
    expect(screen.getByText("Queries you run are kept here, in this browser.")).toBeInTheDocument();
  });

  test("shows an error when the experiment cannot load", async () => {
    mockApi({ "GET /api/experiments/shop": () => reply(503, { error: "backend_unavailable", message: "warehouse down", details: [] }) });
    at("/experiments/shop/query");
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("warehouse down");
  });

  test("runs with Ctrl-Enter: typed columns, pages, elapsed, truncated notice and recent queries", async () => {
    const calls = mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () => ({
        columns: [
          { name: "customer_id", type: "INTEGER" },
          { name: "email", type: "VARCHAR" },
        ],
        rows: rows(120),
        row_count: 120,
        truncated: true,
        elapsed_s: 0.0421,
      }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    setEditorText(/SQL query/, "SELECT customer_id, email FROM customers");
    screen.getByRole("textbox", { name: /SQL query/ }).focus();
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    const results = await screen.findByRole("region", { name: "Query results" });
    expect(calls.at(-1)!.json()).toEqual({ sql: "SELECT customer_id, email FROM customers", limit: 1000 });
    expect(within(results).getByText("120 rows in 42 ms")).toBeInTheDocument();
    expect(within(results).getByText(/only the first 120 rows are shown/)).toBeInTheDocument();
    const headers = within(results).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["customer_idINTEGER", "emailVARCHAR"]);
    expect(within(results).getAllByRole("row")).toHaveLength(51);
    await userEvent.click(within(results).getByRole("button", { name: "Next" }));
    expect(within(results).getByText(/Rows 51–100 of 120 · page 2 of 3/)).toBeInTheDocument();
    expect(within(results).getAllByRole("row")[1]).toHaveTextContent("51");
    expect(loadRecent("shop").map((q) => q.sql)).toEqual(["SELECT customer_id, email FROM customers"]);
    expect(screen.getByRole("button", { name: /SELECT customer_id, email FROM customers/ })).toBeInTheDocument();
  });

  test("shows a query error with its position", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () =>
        reply(400, {
          error: "query_error",
          message: "Parser Error: syntax error at or near \"FORM\"",
          details: [{ message: "syntax error at or near \"FORM\"", line: 1, col: 10 }],
        }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    setEditorText(/SQL query/, "SELECT * FORM customers");
    await userEvent.click(screen.getByRole("button", { name: /Run/ }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent('syntax error at or near "FORM"');
    expect(alert).toHaveTextContent("line 1, column 10");
    expect(screen.queryByRole("region", { name: "Query results" })).not.toBeInTheDocument();
    expect(loadRecent("shop")).toEqual([]);
  });

  test("recent queries come back from the browser and load into the editor", async () => {
    window.localStorage.setItem(
      "dw-sim:recent-queries:shop",
      JSON.stringify([{ sql: "SELECT 2", at: "2026-01-01T00:00:00Z" }, { sql: "SELECT 1", at: "2026-01-01T00:00:00Z" }]),
    );
    mockApi({ "GET /api/experiments/shop": () => detail() });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await waitFor(() => expect(editorText(/SQL query/)).toBe("SELECT 2"));
    await userEvent.click(screen.getByRole("button", { name: "SELECT 1" }));
    expect(editorText(/SQL query/)).toBe("SELECT 1");
  });

  test("exports CSV as a download", async () => {
    const calls = mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () =>
        reply(200, "customer_id\n1\n", { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="shop.csv"' }),
    });
    const created: Blob[] = [];
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: (b: Blob) => (created.push(b), "blob:x"), revokeObjectURL: () => undefined }));
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(clicks).toEqual(["shop.csv"]));
    expect(calls.at(-1)!.query.get("format")).toBe("csv");
    await expect(created[0].text()).resolves.toBe("customer_id\n1\n");
  });

  test("shows a running state", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail(), "POST /api/experiments/shop/query": pending });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: /Run/ }));
    expect(screen.getByRole("button", { name: /Running/ })).toBeDisabled();
  });
});
