import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { GenerateDialog } from "../pages/GenerateDialog";
import { FakeEventSource, mockApi, reply } from "../test/helpers";
import { run, summary } from "../test/fixtures";

function open() {
  const onFinished = vi.fn();
  const onClose = vi.fn();
  render(<GenerateDialog experiment={summary()} onClose={onClose} onFinished={onFinished} />);
  return { onFinished, onClose };
}

describe("Generate dialog", () => {
  beforeEach(() => FakeEventSource.install());

  test("sends overrides, seed and workers, then follows the SSE stream to the result", async () => {
    const calls = mockApi({ "POST /api/experiments/shop/generate": () => reply(202, { run_id: 7, status: "PENDING" }) });
    const { onFinished } = open();
    expect(screen.getByLabelText("Rows for customers")).toHaveAttribute("placeholder", "100");
    await userEvent.type(screen.getByLabelText("Rows for orders"), "5000");
    await userEvent.type(screen.getByLabelText("Seed"), "42");
    await userEvent.type(screen.getByLabelText("Workers"), "2");
    await userEvent.click(screen.getByRole("button", { name: "Start generation" }));
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    expect(calls[0].json()).toEqual({ rows: { orders: 5000 }, seed: 42, workers: 2 });
    const es = FakeEventSource.instances[0];
    expect(es.url).toBe("/api/runs/7/events");

    es.emit("status", { run_id: 7, status: "RUNNING", phase: "generate" });
    es.emit("progress", { run_id: 7, table: "customers", rows_done: 100, rows_total: 100 });
    es.emit("progress", { run_id: 7, table: "orders", rows_done: 2500, rows_total: 5000 });
    expect(screen.getByText("running")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Run progress" })).toHaveAttribute("data-progress-events", "2");
    const orders = screen.getByRole("progressbar", { name: "Progress of orders" });
    expect(orders).toHaveAttribute("aria-valuenow", "2500");
    expect(orders).toHaveAttribute("aria-valuemax", "5000");
    expect(screen.getByRole("button", { name: "Cancel run" })).toBeInTheDocument();

    es.emit("end", run({ row_counts: { customers: 100, orders: 5000 }, progress: { orders: { rows_done: 5000, rows_total: 5000 } }, elapsed_s: 2.5 }));
    expect(es.closed).toBe(true);
    expect(screen.getByRole("progressbar", { name: "Progress of orders" })).toHaveAttribute("aria-valuenow", "5000");
    expect(screen.getByText(/5,100 rows in 2.50 s/)).toBeInTheDocument();
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("button", { name: "Close" })).toBeInTheDocument();
  });

  test("cancel asks the API and shows the cancelled result", async () => {
    const calls = mockApi({
      "POST /api/experiments/shop/generate": () => reply(202, { run_id: 8 }),
      "POST /api/runs/8/cancel": () => reply(202, run({ id: 8, status: "CANCELLED" })),
    });
    open();
    await userEvent.click(screen.getByRole("button", { name: "Start generation" }));
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    await userEvent.click(screen.getByRole("button", { name: "Cancel run" }));
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain("POST /api/runs/8/cancel");
    FakeEventSource.instances[0].emit("end", run({ id: 8, status: "CANCELLED", row_counts: {} }));
    expect(screen.getByText(/previous data is unchanged/)).toBeInTheDocument();
  });

  test("a failed run shows its error message", async () => {
    mockApi({ "POST /api/experiments/shop/generate": () => reply(202, { run_id: 9 }) });
    open();
    await userEvent.click(screen.getByRole("button", { name: "Start generation" }));
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    FakeEventSource.instances[0].emit("end", run({ id: 9, status: "FAILED", error_message: "no space left on device" }));
    expect(screen.getByRole("alert")).toHaveTextContent("no space left on device");
  });

  test("a run already in progress is reported, and the form stays", async () => {
    mockApi({
      "POST /api/experiments/shop/generate": () =>
        reply(409, { error: "run_in_progress", message: "experiment 'shop' already has a run in progress", details: [] }),
    });
    open();
    await userEvent.click(screen.getByRole("button", { name: "Start generation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("already has a run in progress");
    expect(screen.getByRole("button", { name: "Start generation" })).toBeEnabled();
  });

  test("falls back to polling the run when the stream fails", async () => {
    let n = 0;
    mockApi({
      "POST /api/experiments/shop/generate": () => reply(202, { run_id: 10 }),
      "GET /api/runs/10": () => (++n < 2 ? run({ id: 10, status: "RUNNING", progress: { orders: { rows_done: 10, rows_total: 500 } } }) : run({ id: 10 })),
    });
    const { onFinished } = open();
    await userEvent.click(screen.getByRole("button", { name: "Start generation" }));
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    FakeEventSource.instances[0].onerror?.(new Event("error"));
    await waitFor(() => expect(onFinished).toHaveBeenCalled()); // up to asyncUtilTimeout (15 s): two polls
    expect(screen.getByText(/600 rows/)).toBeInTheDocument();
  });
});
