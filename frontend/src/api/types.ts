// The HTTP API's shapes (dw_simulator/api/schemas.py, OpenAPI at /openapi.json), hand-written in this one module.
// e2e/contract.e2e.ts checks against the live server's OpenAPI schema that every route and field used here exists.

export type Dialect = "redshift" | "snowflake";
export type Warehouse = "duckdb" | "sqlite" | "redshift" | "snowflake";
export type RunStatus = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED";

export const DIALECTS: Dialect[] = ["redshift", "snowflake"];
export const FINAL_STATUSES: RunStatus[] = ["COMPLETED", "FAILED", "CANCELLED"];

export interface TableInfo {
  name: string;
  physical_name: string;
  columns: number;
  target_rows: number;
  row_count: number | null;
  warnings: string[];
}

export interface TableProgress {
  rows_done: number;
  rows_total: number;
}

export interface RunProgress {
  phase?: string | null;
  tables?: Record<string, TableProgress>;
  // The API may also put tables at the top level: {customers: {rows_done, rows_total}, phase: "generate"}.
  [table: string]: TableProgress | Record<string, TableProgress> | string | null | undefined;
}

export interface RunInfo {
  id: number;
  experiment: string;
  status: RunStatus;
  seed: number | null;
  workers: number;
  row_overrides: Record<string, number>;
  progress: RunProgress;
  row_counts: Record<string, number>;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  elapsed_s?: number | null;
}

export interface ExperimentSummary {
  name: string;
  description: string | null;
  dialect: Dialect;
  target_warehouse: Warehouse | string;
  table_count: number;
  total_rows: number | null;
  tables: TableInfo[];
  warnings: string[];
  created_at: string;
  last_run_status: RunStatus | null;
  last_run: RunInfo | null;
}

export interface ForeignKey {
  references_table: string;
  references_column: string;
  nullable?: boolean | null;
  cardinality?: Record<string, unknown> | null;
}

export interface ColumnSchema {
  name: string;
  data_type: string;
  is_unique?: boolean;
  required?: boolean;
  faker_rule?: string | null;
  min_value?: number | string | null;
  max_value?: number | string | null;
  date_start?: string | null;
  date_end?: string | null;
  varchar_length?: number | null;
  distribution?: Record<string, unknown> | null;
  foreign_key?: ForeignKey | null;
  null_rate?: number | null;
  description?: string | null;
  identity?: { start: number; increment: number } | null;
  [field: string]: unknown;
}

export interface TableSchema {
  name: string;
  target_rows?: number;
  columns: ColumnSchema[];
  composite_keys?: string[][];
  warnings?: string[];
}

export interface ExperimentSchema {
  name: string;
  description?: string | null;
  dialect?: Dialect;
  target_warehouse?: string | null;
  tables: TableSchema[];
}

export interface HistogramBucket {
  low: number | string;
  high: number | string;
  count: number;
}

export interface TopValue {
  value: unknown;
  count: number;
}

export interface ColumnProfile {
  column: string;
  data_type: string;
  rows: number;
  nulls: number;
  null_fraction: number;
  distinct: number | null;
  min: unknown;
  max: unknown;
  mean?: number | null;
  stddev?: number | null;
  histogram?: (HistogramBucket | TopValue)[] | null;
  top_values?: TopValue[] | null;
}

/** table name -> its columns' profiles (of the last completed run). */
export type Profile = Record<string, ColumnProfile[]>;

export interface ExperimentDetail extends ExperimentSummary {
  schema: ExperimentSchema;
  profile: Profile;
}

export interface ImportSqlRequest {
  sql: string;
  dialect: Dialect;
  name?: string;
  rows?: Record<string, number>;
  dry_run?: boolean;
  replace?: boolean;
  target_warehouse?: Warehouse;
  description?: string;
}

/** A setting the import inferred from a column's name and type (issue 13 adds keys, semantics, time pairs). */
export interface Inference {
  kind: string;
  table: string;
  column: string;
  /** The column's schema fields it set: clearing them drops the inference. */
  fields: string[];
  value?: unknown;
  reason: string;
}

export interface ImportSqlResult {
  schema: ExperimentSchema;
  warnings: string[];
  notes: string[];
  inferences?: Inference[];
  experiment: ExperimentSummary | null;
}

export interface SchemaVersion {
  version: number;
  created_at: string;
  tables: number;
  current: boolean;
}

export interface SchemaSaved {
  experiment: string;
  version: number;
  schema: ExperimentSchema;
  tables_recreated: boolean;
}

export interface GenerateRequest {
  rows?: Record<string, number>;
  seed?: number;
  workers?: number;
  batch_size?: number;
}

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  experiment?: string;
  columns: QueryColumn[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  /** Rows in the whole result (null when capped and the warehouse did not say). */
  total_rows?: number | null;
  elapsed_s: number;
  statements?: number;
  rows_affected?: number | null;
}

export interface ErrorDetail {
  message: string;
  line?: number | null;
  col?: number | null;
  table?: string | null;
  column?: string | null;
  field?: string | null;
  loc?: (string | number)[];
}

export interface ErrorBody {
  error: string;
  message: string;
  details?: ErrorDetail[] | null;
  request_id?: string | null;
}

export interface Health {
  status: "ok" | "degraded";
  version: string;
  backends: Record<string, { ok: boolean; latency_ms: number; error?: string | null }>;
  active_runs: number;
}

export interface RunStarted {
  run_id: number;
  experiment?: string;
  status?: RunStatus;
  links?: Record<string, string>;
}

export interface Deleted {
  experiment?: string;
  deleted?: boolean;
  tables_dropped: number;
}

/** GET /api/experiments/{name}/connect: what `dw-sim endpoints --json` prints, for users' own clients. */
export interface ConnectInfo {
  redshift: {
    running: boolean;
    host: string;
    port: number;
    database: string | null;
    user: string;
    password: string;
    credentials?: string;
    psql: string;
    redshift_connector: string;
    sqlalchemy: string;
    sqlalchemy_redshift_connector?: string;
    dbt_profile: Record<string, string | number | boolean>;
    dbt_note?: string;
  };
  snowflake: {
    available: boolean;
    running?: boolean;
    start?: string;
    snowflake_connector?: Record<string, string | number | boolean>;
    sqlalchemy?: string;
    dbt_profile?: Record<string, string | number | boolean>;
    [key: string]: unknown;
  };
}
