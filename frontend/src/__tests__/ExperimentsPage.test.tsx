import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { App } from "../App";
import { mockApi, pending, reply } from "../test/helpers";
import { summary } from "../test/fixtures";

describe("Experiments list", () => {
  test("shows a loading state", () => {
    mockApi({ "GET /api/experiments": pending });
    render(<App />);
    expect(screen.getByRole("status", { name: "Loading experiments…" })).toHaveAttribute("aria-busy", "true");
  });

  test("offers the brief's examples when empty, and opens the create dialog with one", async () => {
    mockApi({ "GET /api/experiments": () => [] });
    render(<App />);
    await screen.findByRole("heading", { name: "No experiments yet" });
    const buttons = screen.getAllByRole("button", { name: /Use the .* example/ });
    expect(buttons.length).toBeGreaterThanOrEqual(4);
    await userEvent.click(screen.getByRole("button", { name: "Use the Sales DDL (composite key) example" }));
    const dialog = await screen.findByRole("dialog", { name: "New experiment" });
    expect(within(dialog).getByRole("tab", { name: "SQL import" })).toHaveAttribute("aria-selected", "true");
    expect(within(dialog).getByLabelText("Experiment name")).toHaveValue("sales");
    expect((await within(dialog).findByRole("textbox", { name: "CREATE TABLE statements" })).textContent).toContain(
      "PRIMARY KEY (region_id, store_id)",
    );
  });

  test("shows an error with a retry that loads again", async () => {
    let n = 0;
    mockApi({
      "GET /api/experiments": () =>
        ++n === 1 ? reply(503, { error: "backend_unavailable", message: "metadata store is locked", details: [] }) : [],
    });
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("metadata store is locked");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    await screen.findByRole("heading", { name: "No experiments yet" });
  });

  test("asks for the API token when the server needs one", async () => {
    const calls = mockApi({
      "GET /api/experiments": () =>
        reply(401, { error: "unauthorized", message: "this server needs `Authorization: Bearer <token>`", details: [] }),
    });
    const reload = vi.fn();
    vi.stubGlobal("location", { ...window.location, reload });
    render(<App />);
    await userEvent.type(await screen.findByLabelText("API token"), "s3cret");
    await userEvent.click(screen.getByRole("button", { name: "Use token" }));
    expect(window.sessionStorage.getItem("dw-sim:api-token")).toBe("s3cret");
    expect(reload).toHaveBeenCalled();
    expect(calls).toHaveLength(1);
    window.sessionStorage.clear();
  });

  test("lists experiments with badges, counts, status and a warnings tooltip", async () => {
    mockApi({
      "GET /api/experiments": () => [
        summary(),
        summary({
          name: "sales",
          description: null,
          dialect: "snowflake",
          table_count: 1,
          total_rows: 0,
          last_run_status: null,
          last_run: null,
          warnings: ["Table 'sales' has a composite primary key (region_id, store_id)."],
        }),
      ],
    });
    render(<App />);
    const row = (await screen.findByRole("link", { name: "shop" })).closest("tr")!;
    expect(within(row).getByText("redshift")).toBeInTheDocument();
    expect(within(row).getByText("duckdb")).toBeInTheDocument();
    expect(within(row).getByText("600")).toBeInTheDocument();
    expect(within(row).getByText("completed")).toBeInTheDocument();
    const sales = screen.getByRole("link", { name: "sales" }).closest("tr")!;
    expect(within(sales).getByText("never run")).toBeInTheDocument();
    const badge = within(sales).getByRole("button", { name: /1 warning/ });
    expect(badge).toHaveAccessibleDescription(/composite primary key/);
  });

  test("deletes after a confirmation that names the tables to drop", async () => {
    let experiments = [summary()];
    const calls = mockApi({
      "GET /api/experiments": () => experiments,
      "DELETE /api/experiments/shop": () => {
        experiments = [];
        return { experiment: "shop", deleted: true, tables_dropped: 2 };
      },
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete shop" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete shop?" });
    const drops = within(dialog).getByRole("list", { name: "Tables to drop" });
    expect(within(drops).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      '"shop"."customers"',
      '"shop"."orders"',
    ]);
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete experiment" }));
    await screen.findByText("Deleted shop (2 tables dropped).");
    await screen.findByRole("heading", { name: "No experiments yet" });
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  test("a failed delete keeps the dialog open with the error", async () => {
    mockApi({
      "GET /api/experiments": () => [summary()],
      "DELETE /api/experiments/shop": () =>
        reply(409, { error: "run_in_progress", message: "experiment 'shop' has a run in progress; cancel it first", details: [] }),
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete shop" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete experiment" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("run in progress");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});
