import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import { App } from "../App";
import { setFlash } from "../flash";
import { navigate } from "../router";
import { FakeEventSource, mockApi, pending, reply } from "../test/helpers";
import { detail, profile, run } from "../test/fixtures";

function at(path: string) {
  window.history.replaceState(null, "", path);
}

describe("Experiment page", () => {
  test("shows a loading skeleton", async () => {
    mockApi({ "GET /api/experiments/shop": pending });
    at("/experiments/shop");
    render(<App />);
    expect(await screen.findByRole("status", { name: "Loading shop…" })).toHaveAttribute("aria-busy", "true");
  });

  test("says when the experiment does not exist", async () => {
    mockApi({});
    at("/experiments/ghost");
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("there is no experiment named ghost");
  });

  test("shows other errors with a retry", async () => {
    mockApi({ "GET /api/experiments/shop": () => reply(500, { error: "internal_error", message: "boom", details: [], request_id: "r9" }) });
    at("/experiments/shop");
    render(<App />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("boom");
    expect(alert).toHaveTextContent("request id r9");
    expect(within(alert).getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  test("lists tables and columns with types, flags, rules and foreign keys", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail() });
    at("/experiments/shop");
    render(<App />);
    await screen.findByRole("heading", { level: 1, name: "shop" });
    const orders = screen.getByRole("region", { name: "Table orders" });
    expect(within(orders).getByText("→ customers.customer_id")).toBeInTheDocument();
    expect(within(orders).getByText("1 … 999")).toBeInTheDocument();
    const customers = screen.getByRole("region", { name: "Table customers" });
    expect(within(customers).getByText("internet.email")).toBeInTheDocument();
    expect(within(customers).getByText("unique")).toBeInTheDocument();
    expect(within(customers).getByText(/100 loaded/)).toBeInTheDocument();
  });

  test("shows import warnings as dismissible banners right after an import", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail() });
    setFlash({ experiment: "shop", warnings: ["composite key made a surrogate", "second warning"] });
    at("/experiments/shop");
    render(<App />);
    const first = await screen.findByText("composite key made a surrogate");
    expect(screen.getByText("second warning")).toBeInTheDocument();
    await userEvent.click(within(first.closest(".banner") as HTMLElement).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText("composite key made a surrogate")).not.toBeInTheDocument();
    expect(screen.getByText("second warning")).toBeInTheDocument();
  });

  test("draws the ER diagram with an edge per foreign key", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail() });
    at("/experiments/shop");
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Diagram" }));
    const svg = await screen.findByRole("img", { name: /Entity-relationship diagram/ });
    expect(window.location.search).toBe("?tab=diagram");
    expect(svg).toHaveAccessibleName(/orders\.customer_id references customers\.customer_id/);
    expect(svg.querySelectorAll("[data-edge]")).toHaveLength(1);
    expect(svg.querySelectorAll("[data-table]")).toHaveLength(2);
  });

  test("profile: empty before a run, then null %, distinct, min/max and charts", async () => {
    let withProfile = false;
    mockApi({ "GET /api/experiments/shop": () => (withProfile ? detail({ profile }) : detail({ profile: {} })) });
    at("/experiments/shop");
    const { unmount } = render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Profile" }));
    expect(screen.getByText(/No profile yet/)).toBeInTheDocument();
    unmount();
    withProfile = true;
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Profile" }));
    const total = screen.getByRole("article", { name: "Column orders.order_total" });
    expect(within(total).getByText("5.0%")).toBeInTheDocument();
    expect(within(total).getByText("480")).toBeInTheDocument();
    expect(within(total).getByText("999.00")).toBeInTheDocument();
    expect(within(total).getByRole("img", { name: /Histogram of orders.order_total: 4 buckets/ })).toBeInTheDocument();
    expect(total.querySelectorAll("rect.bar")).toHaveLength(4);
    const email = screen.getByRole("article", { name: "Column customers.email" });
    expect(within(email).getByRole("list", { name: /Most frequent values/ })).toHaveTextContent("x@example.org");
  });

  test("run history: empty, then the runs with status, rows and errors", async () => {
    let runs: unknown[] = [];
    mockApi({ "GET /api/experiments/shop": () => detail(), "GET /api/experiments/shop/runs": () => runs });
    at("/experiments/shop");
    const { unmount } = render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Runs" }));
    expect(await screen.findByText("No runs yet.")).toBeInTheDocument();
    unmount();
    runs = [run(), run({ id: 6, status: "FAILED", error_message: "disk full", row_counts: {} })];
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Runs" }));
    const table = await screen.findByRole("table", { name: "Generation runs" });
    expect(within(table).getByText("#7")).toBeInTheDocument();
    expect(within(table).getByText("600")).toBeInTheDocument();
    expect(within(table).getByText("disk full")).toBeInTheDocument();
    expect(within(table).getByText("failed")).toBeInTheDocument();
  });

  test("DDL tab loads the statements in the chosen dialect", async () => {
    const calls = mockApi({
      "GET /api/experiments/shop": () => detail(),
      "GET /api/experiments/shop/ddl": (c) => ({ experiment: "shop", dialect: c.query.get("dialect"), ddl: `-- ${c.query.get("dialect")}\nCREATE TABLE customers (...);` }),
    });
    at("/experiments/shop");
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "DDL" }));
    expect(await screen.findByText(/-- redshift/)).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Dialect"), "snowflake");
    expect(await screen.findByText(/-- snowflake/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/ddl")).map((c) => c.query.get("dialect"))).toEqual(["redshift", "snowflake"]);
  });

  test("Connect tab shows ready-to-paste settings for the experiment", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "GET /api/experiments/shop/connect": () => ({
        redshift: {
          running: true, host: "127.0.0.1", port: 5439, database: "shop", user: "mockuser", password: "mockpass",
          credentials: "local mock credentials",
          psql: 'psql "postgresql://mockuser:mockpass@127.0.0.1:5439/shop?sslmode=require"',
          redshift_connector: "redshift_connector.connect(host='127.0.0.1', port=5439, database='shop')",
          sqlalchemy: "redshift+psycopg2://mockuser:mockpass@127.0.0.1:5439/shop",
          dbt_profile: { type: "redshift", dbname: "shop", port: 5439 },
        },
        snowflake: {
          available: true, running: false, start: "dw-sim serve",
          snowflake_connector: { account: "dwsim", database: "SHOP", port: 8085 },
          dbt_profile: { type: "snowflake", database: "SHOP" },
        },
      }),
    });
    at("/experiments/shop");
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Connect" }));
    expect(await screen.findByLabelText("psql")).toHaveTextContent("127.0.0.1:5439/shop");
    expect(screen.getByLabelText("dbt profiles.yml (redshift)")).toHaveTextContent("dbname: shop");
    expect(screen.getByLabelText("snowflake.connector.connect(...)")).toHaveTextContent('database="SHOP"');
    expect(screen.getByText(/Not running: start it with `dw-sim serve`/)).toBeInTheDocument();
  });

  test("Connect tab shows an error with retry", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "GET /api/experiments/shop/connect": () => reply(500, { error: "internal", message: "boom", details: [] }),
    });
    at("/experiments/shop");
    render(<App />);
    await userEvent.click(await screen.findByRole("tab", { name: "Connect" }));
    expect(await screen.findByText(/boom/)).toBeInTheDocument();
  });

  test("delete from the page returns to the list", async () => {
    mockApi({
      "GET /api/experiments/shop": () => detail(),
      "DELETE /api/experiments/shop": () => ({ tables_dropped: 2 }),
      "GET /api/experiments": () => [],
    });
    at("/experiments/shop");
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    await userEvent.click(await screen.findByRole("button", { name: "Delete experiment" }));
    await screen.findByRole("heading", { name: "No experiments yet" });
    expect(window.location.pathname).toBe("/");
  });

  test("follows a run started elsewhere and reloads when it ends", async () => {
    FakeEventSource.install();
    let loads = 0;
    mockApi({
      "GET /api/experiments/shop": () =>
        ++loads === 1 ? detail({ last_run_status: "RUNNING", last_run: run({ id: 11, status: "RUNNING" }) }) : detail(),
    });
    at("/experiments/shop");
    render(<App />);
    await screen.findByText(/Run #11 is in progress/);
    await waitFor(() => expect(FakeEventSource.instances.length).toBeGreaterThan(0));
    const es = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    expect(es.url).toBe("/api/runs/11/events");
    es.emit("progress", { run_id: 11, table: "orders", rows_done: 50, rows_total: 500 });
    expect(screen.getByText(/50 of 500 rows/)).toBeInTheDocument();
    es.emit("end", run({ id: 11 }));
    await waitFor(() => expect(screen.queryByText(/is in progress/)).not.toBeInTheDocument());
    expect(loads).toBe(2);
  });

  test("navigating between experiments loads each", async () => {
    mockApi({ "GET /api/experiments/shop": () => detail(), "GET /api/experiments/other": () => detail({ name: "other" }) });
    at("/experiments/shop");
    render(<App />);
    await screen.findByRole("heading", { level: 1, name: "shop" });
    act(() => navigate("/experiments/other"));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("other"));
  });
});
