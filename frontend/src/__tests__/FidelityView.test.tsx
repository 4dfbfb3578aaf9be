import { render, screen, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { FidelityView } from "../components/FidelityView";
import { mockApi } from "../test/helpers";

const report = {
  experiment: "shop",
  learned: true,
  sources: ["/data/orders.parquet"],
  max_distance: 0.004,
  tables: [
    {
      table: "orders",
      sample_rows: 20000,
      generated_rows: 100000,
      max_distance: 0.004,
      columns: [
        { column: "amount", kind: "numeric", metric: "ks", distance: 0.0031, null_rate: { sample: 0, generated: 0 },
          distinct_ratio: { sample: 0.29, generated: 0.28 } },
        { column: "category", kind: "categorical", metric: "tvd", distance: 0.0011,
          null_rate: { sample: 0.1, generated: 0.1 }, distinct_ratio: { sample: 0.001, generated: 0.001 } },
      ],
      pairs: [{ columns: ["amount", "qty"], sample: 0.766, generated: 0.761, difference: 0.005 }],
    },
  ],
};

describe("Fidelity view", () => {
  test("shows per column distances and the kept pairs' rank correlations", async () => {
    mockApi({ "GET /api/experiments/shop/fidelity": () => report });
    render(<FidelityView name="shop" />);
    const grid = await screen.findByRole("table", { name: "Fidelity of orders" });
    const amount = within(grid).getByText("amount").closest("tr") as HTMLElement;
    expect(amount).toHaveTextContent("KS");
    expect(amount).toHaveTextContent("0.0031");
    expect(within(grid).getByText("category").closest("tr")).toHaveTextContent("TV distance");
    expect(screen.getByRole("list", { name: "Rank correlations of orders" })).toHaveTextContent(
      "amount ~ qty: sample 0.766, generated 0.761",
    );
    expect(screen.getByText(/Learned from \/data\/orders.parquet/)).toBeInTheDocument();
  });

  test("shows nothing for an experiment not learned from a sample", async () => {
    const calls = mockApi({
      "GET /api/experiments/plain/fidelity": () => ({ experiment: "plain", learned: false, reason: "not learned",
        sources: [], tables: [], max_distance: null }),
    });
    const { container } = render(<FidelityView name="plain" />);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.some((c) => c.path === "/api/experiments/plain/fidelity")).toBe(true);
    expect(container).toBeEmptyDOMElement();
  });
});
