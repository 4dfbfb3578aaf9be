import { describe, expect, test, vi } from "vitest";
import {
  ApiError,
  createExperiment,
  deleteExperiment,
  exportQuery,
  getProfile,
  importSql,
  listExperiments,
  normaliseProfile,
  runQuery,
  setApiToken,
  startGeneration,
  tableProgress,
  toErrorBody,
} from "../api/client";
import { mockApi, reply } from "../test/helpers";
import { summary } from "../test/fixtures";

describe("API client", () => {
  test("lists experiments", async () => {
    const calls = mockApi({ "GET /api/experiments": () => [summary()] });
    const list = await listExperiments();
    expect(list.map((e) => e.name)).toEqual(["shop"]);
    expect(calls[0].headers.Accept).toBe("application/json");
  });

  test("turns the API's error shape into an ApiError with details and request id", async () => {
    mockApi({
      "POST /api/experiments/import-sql": () =>
        reply(422, {
          error: "validation_error",
          message: "cannot parse the SQL",
          details: [{ message: "unexpected token", line: 3, col: 7 }],
          request_id: "req-1",
        }),
    });
    const err = await importSql({ sql: "CREATE TABLE (", dialect: "redshift" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const api = err as ApiError;
    expect(api.status).toBe(422);
    expect(api.code).toBe("validation_error");
    expect(api.message).toBe("cannot parse the SQL");
    expect(api.details[0]).toMatchObject({ message: "unexpected token", line: 3, col: 7 });
    expect(api.requestId).toBe("req-1");
  });

  test("understands FastAPI's own {detail} errors and plain text", () => {
    expect(toErrorBody(404, { detail: "Not Found" })).toMatchObject({ message: "Not Found" });
    const v = toErrorBody(422, { detail: [{ msg: "field required", loc: ["body", "sql"] }] });
    expect(v.details?.[0]).toMatchObject({ message: "field required", loc: ["body", "sql"] });
    expect(toErrorBody(502, "Bad gateway").message).toBe("Bad gateway");
    expect(toErrorBody(500, undefined).message).toContain("500");
  });

  test("reports an unreachable server as a network error", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    const err = (await listExperiments().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/Cannot reach the dw-sim server/);
  });

  test("posts schema text with the content type of its format", async () => {
    const calls = mockApi({ "POST /api/experiments": () => reply(201, summary()) });
    await createExperiment("name: shop\ntables: []\n", "yaml");
    await createExperiment('{"name": "shop"}', "json");
    expect(calls[0].headers["Content-Type"]).toBe("application/yaml");
    expect(calls[0].body).toBe("name: shop\ntables: []\n");
    expect(calls[1].headers["Content-Type"]).toBe("application/json");
  });

  test("sends generate options and returns the run id", async () => {
    const calls = mockApi({
      "POST /api/experiments/my shop/generate": () => reply(202, { run_id: 9, experiment: "my shop", status: "PENDING" }),
    });
    const started = await startGeneration("my shop", { rows: { t: 10 }, seed: 1, workers: 2 });
    expect(started.run_id).toBe(9);
    expect(calls[0].json()).toEqual({ rows: { t: 10 }, seed: 1, workers: 2 });
  });

  test("deletes and reports the tables dropped", async () => {
    mockApi({ "DELETE /api/experiments/shop": () => ({ experiment: "shop", deleted: true, tables_dropped: 2 }) });
    await expect(deleteExperiment("shop")).resolves.toMatchObject({ tables_dropped: 2 });
  });

  test("runs a query and fills in elapsed_s and row_count", async () => {
    const calls = mockApi({
      "POST /api/experiments/shop/query": () => ({
        columns: [{ name: "n", type: "BIGINT" }],
        rows: [[1]],
        row_count: 1,
        truncated: false,
        elapsed_s: 0.01,
      }),
    });
    const r = await runQuery("shop", "select 1 as n", 10);
    expect(r.elapsed_s).toBe(0.01);
    expect(calls[0].json()).toEqual({ sql: "select 1 as n", limit: 10 });
  });

  test("exports a query as a file named by the server", async () => {
    const calls = mockApi({
      "POST /api/experiments/shop/query": () =>
        reply(200, "n\n1\n", { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="shop.csv"' }),
    });
    const { blob, filename } = await exportQuery("shop", "select 1 as n", "csv");
    expect(filename).toBe("shop.csv");
    await expect(blob.text()).resolves.toBe("n\n1\n");
    expect(calls[0].query.get("format")).toBe("csv");
  });

  test("export errors are ApiErrors", async () => {
    mockApi({
      "POST /api/experiments/shop/query": () =>
        reply(400, { error: "query_error", message: "no such table: nope", details: [] }),
    });
    await expect(exportQuery("shop", "select * from nope", "parquet")).rejects.toMatchObject({
      status: 400,
      message: "no such table: nope",
    });
  });

  test("normalises the profile layouts", async () => {
    const cols = [{ column: "a" }];
    expect(normaliseProfile({ t: cols })).toEqual({ t: cols });
    expect(normaliseProfile({ experiment: "x", tables: { t: cols } })).toEqual({ t: cols });
    expect(normaliseProfile({ tables: [{ name: "t", columns: cols }] })).toEqual({ t: cols });
    expect(normaliseProfile(null)).toEqual({});
    mockApi({ "GET /api/experiments/shop/profile": () => ({ experiment: "shop", tables: { t: cols } }) });
    await expect(getProfile("shop")).resolves.toEqual({ t: cols });
  });

  test("sends the API token when one is set", async () => {
    const calls = mockApi({ "GET /api/experiments": () => [], "POST /api/experiments/shop/query": () => reply(200, "x") });
    await listExperiments();
    expect(calls[0].headers.Authorization).toBeUndefined();
    setApiToken("s3cret");
    try {
      await listExperiments();
      await exportQuery("shop", "select 1", "csv");
      expect(calls[1].headers.Authorization).toBe("Bearer s3cret");
      expect(calls[2].headers.Authorization).toBe("Bearer s3cret");
    } finally {
      setApiToken(null);
    }
  });

  test("reads per-table progress from either layout", () => {
    const p = { rows_done: 1, rows_total: 2 };
    expect(tableProgress({ a: p, phase: "generate" })).toEqual({ a: p });
    expect(tableProgress({ tables: { a: p } })).toEqual({ a: p });
    expect(tableProgress(undefined)).toEqual({});
  });
});
