// API answers shaped like the real server's (dw_simulator/api/schemas.py).
import type { ExperimentDetail, ExperimentSummary, RunInfo } from "../api/client";

export const run = (over: Partial<RunInfo> = {}): RunInfo => ({
  id: 7,
  experiment: "shop",
  status: "COMPLETED",
  seed: 42,
  workers: 1,
  row_overrides: {},
  progress: { customers: { rows_done: 100, rows_total: 100 }, orders: { rows_done: 500, rows_total: 500 }, phase: "done" },
  row_counts: { customers: 100, orders: 500 },
  error_message: null,
  created_at: "2026-01-02T10:00:00+00:00",
  started_at: "2026-01-02T10:00:00+00:00",
  finished_at: "2026-01-02T10:00:02+00:00",
  elapsed_s: 1.5,
  ...over,
});

export const summary = (over: Partial<ExperimentSummary> = {}): ExperimentSummary => ({
  name: "shop",
  description: "Customers and orders",
  dialect: "redshift",
  target_warehouse: "duckdb",
  table_count: 2,
  total_rows: 600,
  tables: [
    { name: "customers", physical_name: '"shop"."customers"', columns: 2, target_rows: 100, row_count: 100, warnings: [] },
    { name: "orders", physical_name: '"shop"."orders"', columns: 3, target_rows: 500, row_count: 500, warnings: [] },
  ],
  warnings: [],
  created_at: "2026-01-02T09:00:00+00:00",
  last_run_status: "COMPLETED",
  last_run: run(),
  ...over,
});

export const detail = (over: Partial<ExperimentDetail> = {}): ExperimentDetail => ({
  ...summary(),
  schema: {
    name: "shop",
    dialect: "redshift",
    tables: [
      {
        name: "customers",
        target_rows: 100,
        columns: [
          { name: "customer_id", data_type: "INT", is_unique: true, required: true },
          { name: "email", data_type: "VARCHAR(120)", varchar_length: 120, faker_rule: "internet.email" },
        ],
      },
      {
        name: "orders",
        target_rows: 500,
        columns: [
          { name: "order_id", data_type: "BIGINT", is_unique: true, required: true },
          {
            name: "customer_id",
            data_type: "INT",
            required: true,
            foreign_key: { references_table: "customers", references_column: "customer_id" },
          },
          { name: "order_total", data_type: "DECIMAL(10,2)", min_value: 1, max_value: 999 },
        ],
      },
    ],
  },
  profile: {},
  ...over,
});

export const profile = {
  customers: [
    {
      column: "email",
      data_type: "VARCHAR",
      rows: 100,
      nulls: 0,
      null_fraction: 0,
      distinct: 97,
      min: "a@example.org",
      max: "z@example.org",
      histogram: [
        { value: "x@example.org", count: 2 },
        { value: "y@example.org", count: 1 },
      ],
    },
  ],
  orders: [
    {
      column: "order_total",
      data_type: "DECIMAL(10,2)",
      rows: 500,
      nulls: 25,
      null_fraction: 0.05,
      distinct: 480,
      min: "1.00",
      max: "999.00",
      mean: 500.5,
      stddev: 288.1,
      histogram: [
        { low: 1, high: 250, count: 120 },
        { low: 250, high: 500, count: 130 },
        { low: 500, high: 750, count: 110 },
        { low: 750, high: 999, count: 115 },
      ],
    },
  ],
};
