// The UI's hand-written API types (src/api/types.ts) against the live server's OpenAPI schema: every field the UI
// reads must still be there, so an API change shows up here rather than as a blank screen.
import { describe, expect, test } from "vitest";
import { BASE_URL } from "./harness";

const USED: Record<string, string[]> = {
  ExperimentOut: [
    "name", "description", "dialect", "target_warehouse", "table_count", "total_rows", "tables", "warnings",
    "created_at", "last_run_status", "last_run",
  ],
  ExperimentDetailOut: ["name", "tables", "warnings", "schema", "profile", "last_run"],
  FidelityOut: ["experiment", "learned", "sources", "tables", "max_distance"],
  TableOut: ["name", "physical_name", "columns", "target_rows", "row_count", "warnings"],
  RunOut: [
    "id", "experiment", "status", "seed", "workers", "row_overrides", "progress", "row_counts", "error_message",
    "created_at", "started_at", "finished_at", "elapsed_s",
  ],
  RunStarted: ["run_id"],
  ImportOut: ["schema", "warnings", "notes", "experiment"],
  DeletedOut: ["tables_dropped"],
  DdlOut: ["ddl"],
  ProfileOut: ["tables"],
  ColumnProfileOut: ["column", "data_type", "rows", "nulls", "null_fraction", "distinct", "min", "max", "mean", "stddev", "histogram"],
  ErrorOut: ["error", "message", "details", "request_id"],
};

const PATHS: [string, string][] = [
  ["get", "/api/experiments"],
  ["post", "/api/experiments"],
  ["get", "/api/experiments/{name}"],
  ["delete", "/api/experiments/{name}"],
  ["post", "/api/experiments/import-sql"],
  ["post", "/api/experiments/{name}/generate"],
  ["get", "/api/experiments/{name}/runs"],
  ["get", "/api/runs/{run_id}"],
  ["post", "/api/runs/{run_id}/cancel"],
  ["get", "/api/runs/{run_id}/events"],
  ["post", "/api/experiments/{name}/query"],
  ["get", "/api/experiments/{name}/ddl"],
  ["get", "/api/experiments/{name}/profile"],
  ["get", "/api/experiments/{name}/fidelity"],
];

describe("API contract", () => {
  test("the OpenAPI schema has every route and field the UI uses", async () => {
    const response = await fetch(`${BASE_URL}/openapi.json`);
    expect(response.status).toBe(200);
    const api = (await response.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const missingRoutes = PATHS.filter(([method, path]) => !api.paths[path]?.[method]).map(([m, p]) => `${m} ${p}`);
    expect(missingRoutes).toEqual([]);
    const missing: string[] = [];
    for (const [schema, fields] of Object.entries(USED)) {
      const props = api.components.schemas[schema]?.properties;
      if (!props) missing.push(`schema ${schema}`);
      else for (const f of fields) if (!(f in props)) missing.push(`${schema}.${f}`);
    }
    expect(missing).toEqual([]);
  });
});
