import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { EditorView } from "@codemirror/view";
import { describe, expect, test, vi } from "vitest";
import { App } from "../App";
import { loadHistory, loadWorksheets } from "../worksheets";
import { editorText, mockApi, pending, reply, setEditorText } from "../test/helpers";
import { detail } from "../test/fixtures";

function at(path: string) {
  window.history.replaceState(null, "", path);
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => [i + 1, `user${i + 1}@example.org`]);
const answer = (extra: Record<string, unknown> = {}) => ({
  columns: [
    { name: "customer_id", type: "INTEGER" },
    { name: "email", type: "VARCHAR" },
  ],
  rows: rows(120),
  row_count: 120,
  truncated: false,
  total_rows: 120,
  elapsed_s: 0.0421,
  ...extra,
});

async function putCursor(offset: number) {
  const view = EditorView.findFromDOM(await screen.findByRole("textbox", { name: /SQL query/ }))!;
  act(() => view.dispatch({ selection: { anchor: offset } }));
}

describe("Query page", () => {
  test("shows a loading skeleton, then an editor with a starter query", async () => {
    let release: (v: unknown) => void = () => undefined;
    mockApi({ "GET /api/experiments/shop": () => new Promise((r) => (release = r)) });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("status", { name: "Loading shop…" });
    release(detail());
    await screen.findByRole("heading", { name: "Query shop" });
    await waitFor(async () => expect(await editorText(/SQL query/)).toContain("FROM customers"));
    expect(screen.getByText("Queries you run are kept here, in this browser.")).toBeInTheDocument();
    // the worksheet is in the URL, for a shareable link
    await waitFor(() => expect(new URLSearchParams(window.location.search).get("ws")).toBeTruthy());
  });

  test("shows an error when the experiment cannot load", async () => {
    mockApi({ "GET /api/experiments/shop": () => reply(503, { error: "backend_unavailable", message: "warehouse down", details: [] }) });
    at("/experiments/shop/query");
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("warehouse down");
  });

  test("Ctrl-Enter runs the statement under the cursor; the grid pages, the history keeps it", async () => {
    const calls = mockApi({ "GET /api/experiments/shop": () => detail(), "POST /api/experiments/shop/query": () => answer() });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    const text = "SELECT 1;\nSELECT customer_id, email FROM customers;\nSELECT 3;";
    await setEditorText(/SQL query/, text);
    await putCursor(text.indexOf("email"));
    (await screen.findByRole("textbox", { name: /SQL query/ })).focus();
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    const results = await screen.findByRole("region", { name: "Query results" });
    const sent = calls.at(-1)!.json() as { sql: string; limit: number; query_id: string };
    expect(sent.sql).toBe("SELECT customer_id, email FROM customers");
    expect(sent.limit).toBe(1000);
    expect(sent.query_id).toMatch(/^[A-Za-z0-9-]+$/);
    expect(within(results).getByText("120 rows in 42 ms")).toBeInTheDocument();
    expect(within(results).getAllByRole("row")).toHaveLength(51);
    await userEvent.click(within(results).getByRole("button", { name: "Next" }));
    expect(within(results).getByText(/Rows 51–100 of 120 · page 2 of 3/)).toBeInTheDocument();
    expect(loadHistory("shop").map((q) => q.sql)).toEqual(["SELECT customer_id, email FROM customers"]);
    // Shift-Ctrl-Enter runs everything
    (await screen.findByRole("textbox", { name: /SQL query/ })).focus();
    await userEvent.keyboard("{Shift>}{Control>}{Enter}{/Control}{/Shift}");
    await waitFor(() => expect((calls.at(-1)!.json() as { sql: string }).sql).toBe(text));
  }, 20_000);

  test("a capped result says first N of M and the grid sorts, filters and shows NULL", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () =>
        answer({
          rows: [
            [2, "b@x.org"],
            [10, null],
            [1, "a@x.org"],
          ],
          row_count: 3,
          truncated: true,
          total_rows: 3000000,
        }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    const results = await screen.findByRole("region", { name: "Query results" });
    expect(within(results).getByText("First 3 of 3,000,000 rows in 42 ms")).toBeInTheDocument();
    const firstColumn = () => within(results).getAllByRole("row").slice(1).map((r) => r.querySelector("td")!.textContent);
    expect(firstColumn()).toEqual(["2", "10", "1"]);
    await userEvent.click(within(results).getByRole("button", { name: "customer_id" }));
    expect(firstColumn()).toEqual(["1", "2", "10"]); // numerically
    expect(within(results).getAllByRole("columnheader")[0]).toHaveAttribute("aria-sort", "ascending");
    await userEvent.click(within(results).getByRole("button", { name: "customer_id" }));
    expect(firstColumn()).toEqual(["10", "2", "1"]);
    expect(within(results).getAllByRole("cell")[0]).toHaveClass("num");
    expect(within(results).getByText("NULL")).toHaveClass("null-mark");
    await userEvent.type(within(results).getByLabelText("Filter rows"), "a@x");
    expect(firstColumn()).toEqual(["1"]);
  });

  test("JSON cells open in a viewer", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () => ({
        columns: [{ name: "payload", type: "JSON" }],
        rows: [['{"a":1,"b":[2,3]}']],
        row_count: 1,
        truncated: false,
        elapsed_s: 0.01,
      }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    await userEvent.click(await screen.findByRole("button", { name: "View payload value" }));
    const viewer = await screen.findByRole("dialog", { name: "Value of payload" });
    expect(within(viewer).getByLabelText("JSON value").textContent).toBe('{\n  "a": 1,\n  "b": [\n    2,\n    3\n  ]\n}');
  });

  test("shows a query error with its position", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () =>
        reply(400, {
          error: "query_error",
          message: 'syntax error at or near "FORM"',
          details: [{ message: 'syntax error at or near "FORM"', line: 1, col: 10 }],
        }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await setEditorText(/SQL query/, "SELECT * FORM customers");
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent('syntax error at or near "FORM"');
    expect(alert).toHaveTextContent("line 1, column 10");
    expect(screen.queryByRole("region", { name: "Query results" })).not.toBeInTheDocument();
    expect(loadHistory("shop")[0]).toMatchObject({ sql: "SELECT * FORM customers", ok: false });
  });

  test("an error that quotes the text near it is marked there in the editor", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "POST /api/experiments/shop/query": () =>
        reply(400, { error: "query_error", message: 'Referenced column "nope" not found (near "nope")', details: [] }),
    });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await setEditorText(/SQL query/, "SELECT 1;\nSELECT id,\n  nope FROM customers");
    await putCursor(20);
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    await screen.findByRole("alert");
    await waitFor(() => expect(document.querySelector(".cm-lintRange-error")?.textContent).toBe("n"));
  });

  test("worksheets are kept in the browser; history re-runs", async () => {
    const calls = mockApi({ "GET /api/experiments/shop": () => detail(), "POST /api/experiments/shop/query": () => answer() });
    window.localStorage.setItem(
      "dw-sim:history:shop",
      JSON.stringify([{ sql: "SELECT 7", at: "2026-01-01T00:00:00Z", ok: true, rows: 1, elapsed_s: 0.1 }]),
    );
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(await screen.findByRole("button", { name: "New worksheet" }));
    expect(screen.getByRole("tab", { name: "Worksheet 2" })).toHaveAttribute("aria-selected", "true");
    await setEditorText(/SQL query/, "SELECT 42");
    await waitFor(() => expect(loadWorksheets("shop", () => "").sheets.map((s) => s.sql)).toContain("SELECT 42"));
    await userEvent.click(screen.getByRole("tab", { name: "Worksheet 1" }));
    await waitFor(async () => expect(await editorText(/SQL query/)).toBe("SELECT 7"));
    await userEvent.click(screen.getByRole("button", { name: "Re-run SELECT 7" }));
    await waitFor(() => expect((calls.at(-1)!.json() as { sql: string }).sql).toBe("SELECT 7"));
  });

  test("exports the whole result as a download", async () => {
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
    await userEvent.click(screen.getByRole("button", { name: "Export JSON" }));
    await waitFor(() => expect(calls.at(-1)!.query.get("format")).toBe("jsonl"));
  });

  test("while running: a timer, Cancel that cancels the query by id, and the old result marked stale", async () => {
    let n = 0;
    let release: () => void = () => undefined;
    const routes: Record<string, (c: unknown) => unknown> = {
      "GET /api/experiments/shop": () => detail(),
      // the second query runs until it is cancelled
      "POST /api/experiments/shop/query": () =>
        ++n === 1
          ? answer()
          : new Promise((resolve) => {
              release = () => resolve(reply(409, { error: "query_cancelled", message: "query was cancelled", details: [] }));
            }),
    };
    const calls = mockApi(routes);
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    await screen.findByText("120 rows in 42 ms");
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    expect(await screen.findByRole("timer", { name: "Running for" })).toHaveTextContent(/Running… \d+\.\d s/);
    const results = screen.getByRole("region", { name: "Query results" });
    expect(results).toHaveAttribute("data-stale", "true");
    expect(within(results).getByText(/Previous result/)).toBeInTheDocument();
    const id = (calls.at(-1)!.json() as { query_id: string }).query_id;
    routes[`POST /api/queries/${id}/cancel`] = () => {
      release();
      return { query_id: id, stopped: true };
    };
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(calls.some((c) => c.path === `/api/queries/${id}/cancel`)).toBe(true));
    expect(await screen.findByText(/the query was stopped after/)).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Query results" })).toHaveAttribute("data-stale", "false");
  });

  test("a pending query disables nothing but offers Cancel", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail(), "POST /api/experiments/shop/query": pending });
    at("/experiments/shop/query");
    render(<App />);
    await screen.findByRole("heading", { name: "Query shop" });
    await userEvent.click(screen.getByRole("button", { name: /^Run Ctrl/ }));
    expect(await screen.findByRole("button", { name: "Cancel" })).toBeEnabled();
    expect(screen.queryByRole("button", { name: /^Run/ })).not.toBeInTheDocument();
  });
});
