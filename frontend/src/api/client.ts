// The one place the UI talks HTTP. Every call goes to the same origin (`dw-sim serve`, or Vite's dev proxy).
import type {
  ColumnProfile,
  ConnectInfo,
  Deleted,
  RunStarted,
  ErrorBody,
  ErrorDetail,
  ExperimentDetail,
  ExperimentSchema,
  ExperimentSummary,
  GenerateRequest,
  Health,
  ImportSqlRequest,
  ImportSqlResult,
  Profile,
  QueryResult,
  RunInfo,
  RunProgress,
  SchemaSaved,
  SchemaVersion,
  TableProgress,
} from "./types";

export * from "./types";

/** An API error: the HTTP status plus the API's `{error, message, details, request_id}` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | null;

  constructor(status: number, body: ErrorBody) {
    super(body.message || body.error || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body.error || "error";
    this.details = Array.isArray(body.details) ? body.details : [];
    this.requestId = body.request_id ?? null;
  }
}

/** Turn whatever a failed response carried into the one error shape (FastAPI's own `{detail}` included). */
export function toErrorBody(status: number, payload: unknown): ErrorBody {
  if (payload && typeof payload === "object") {
    const p = payload as Record<string, unknown>;
    if (typeof p.message === "string" || typeof p.error === "string") {
      return {
        error: String(p.error ?? "error"),
        message: String(p.message ?? p.error),
        details: normaliseDetails(p.details),
        request_id: typeof p.request_id === "string" ? p.request_id : null,
      };
    }
    if ("detail" in p) {
      const d = p.detail;
      if (typeof d === "string") return { error: "error", message: d, details: [] };
      const details = normaliseDetails(d);
      return { error: "validation_error", message: details[0]?.message ?? "invalid request", details };
    }
  }
  if (typeof payload === "string" && payload.trim()) {
    return { error: "error", message: payload.trim().slice(0, 500), details: [] };
  }
  return { error: "error", message: `The server answered HTTP ${status}`, details: [] };
}

function normaliseDetails(raw: unknown): ErrorDetail[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item) => {
    if (item && typeof item === "object") {
      const d = item as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === "number" ? v : null);
      const str = (v: unknown) => (typeof v === "string" ? v : null);
      return {
        message: String(d.message ?? d.msg ?? JSON.stringify(d)),
        line: num(d.line),
        col: num(d.col ?? d.column_number),
        table: str(d.table),
        column: str(d.column),
        field: str(d.field),
        loc: Array.isArray(d.loc) ? (d.loc as (string | number)[]) : undefined,
      };
    }
    return { message: String(item) };
  });
}

const TOKEN_KEY = "dw-sim:api-token";

/** The bearer token for a server started with DW_SIM_API_TOKEN (kept for this browser tab only). */
export function apiToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setApiToken(token: string | null): void {
  if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
  else window.sessionStorage.removeItem(TOKEN_KEY);
}

function authHeaders(): Record<string, string> {
  const token = apiToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function request<T>(method: string, url: string, body?: unknown, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === "string") {
      payload = body;
      headers["Content-Type"] = contentType ?? "text/plain";
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: payload });
  } catch (err) {
    throw new ApiError(0, {
      error: "network_error",
      message: `Cannot reach the dw-sim server (${err instanceof Error ? err.message : String(err)})`,
    });
  }
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, toErrorBody(response.status, data));
  return data as T;
}

const enc = encodeURIComponent;

export function listExperiments(): Promise<ExperimentSummary[]> {
  return request<ExperimentSummary[] | { experiments: ExperimentSummary[] }>("GET", "/api/experiments").then((r) =>
    Array.isArray(r) ? r : r.experiments,
  );
}

export async function getExperiment(name: string): Promise<ExperimentDetail> {
  const detail = await request<ExperimentDetail>("GET", `/api/experiments/${enc(name)}`);
  return { ...detail, profile: normaliseProfile(detail.profile) };
}

/** Create from schema text; `format` picks the body's content type (the API reads JSON or YAML). */
export function createExperiment(
  text: string,
  format: "json" | "yaml",
  options: { replace?: boolean; targetWarehouse?: string } = {},
): Promise<ExperimentSummary> {
  const type = format === "json" ? "application/json" : "application/yaml";
  const params = new URLSearchParams();
  if (options.replace) params.set("replace", "true");
  if (options.targetWarehouse) params.set("target_warehouse", options.targetWarehouse);
  const qs = params.toString();
  return request<ExperimentSummary>("POST", `/api/experiments${qs ? `?${qs}` : ""}`, text, type);
}

export function deleteExperiment(name: string): Promise<Deleted> {
  return request("DELETE", `/api/experiments/${enc(name)}`);
}

export function importSql(req: ImportSqlRequest): Promise<ImportSqlResult> {
  return request("POST", "/api/experiments/import-sql", req);
}

export function startGeneration(name: string, req: GenerateRequest): Promise<RunStarted> {
  return request("POST", `/api/experiments/${enc(name)}/generate`, req);
}

export function listRuns(name: string): Promise<RunInfo[]> {
  return request<RunInfo[] | { runs: RunInfo[] }>("GET", `/api/experiments/${enc(name)}/runs`).then((r) =>
    Array.isArray(r) ? r : r.runs,
  );
}

export function getRun(id: number): Promise<RunInfo> {
  return request("GET", `/api/runs/${id}`);
}

export function cancelRun(id: number): Promise<RunInfo> {
  return request("POST", `/api/runs/${id}/cancel`);
}

export function runEventsUrl(id: number): string {
  return `/api/runs/${id}/events`;
}

export interface QueryOptions {
  limit?: number;
  /** Lets `cancelQuery(queryId)` interrupt it. */
  queryId?: string;
  dialect?: string;
}

export async function runQuery(name: string, sql: string, options: QueryOptions | number = {}): Promise<QueryResult> {
  const o: QueryOptions = typeof options === "number" ? { limit: options } : options;
  const body: Record<string, unknown> = { sql };
  if (o.limit !== undefined) body.limit = o.limit;
  if (o.queryId) body.query_id = o.queryId;
  if (o.dialect) body.dialect = o.dialect;
  const r = await request<QueryResult & { elapsed?: number }>("POST", `/api/experiments/${enc(name)}/query`, body);
  return { ...r, elapsed_s: r.elapsed_s ?? r.elapsed ?? 0, row_count: r.row_count ?? r.rows.length };
}

export function cancelQuery(queryId: string): Promise<{ query_id: string; stopped: boolean }> {
  return request("POST", `/api/queries/${enc(queryId)}/cancel`);
}

/** A fresh id for a query (to cancel it). */
export function newQueryId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `q${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export type ExportFormat = "csv" | "parquet" | "jsonl";

/** The whole result of `sql` as a CSV, Parquet or JSON Lines file (the API streams it, without the row cap). */
export async function exportQuery(
  name: string,
  sql: string,
  format: ExportFormat,
  queryId?: string,
): Promise<{ blob: Blob; filename: string }> {
  let response: Response;
  try {
    response = await fetch(`/api/experiments/${enc(name)}/query?format=${format}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...authHeaders() },
      body: JSON.stringify(queryId ? { sql, query_id: queryId } : { sql }),
    });
  } catch (err) {
    throw new ApiError(0, { error: "network_error", message: `Cannot reach the dw-sim server (${String(err)})` });
  }
  if (!response.ok) {
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      /* plain text */
    }
    throw new ApiError(response.status, toErrorBody(response.status, data));
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return { blob: await response.blob(), filename: match ? decodeURIComponent(match[1]) : `${name}.${format}` };
}

const SCHEMA_TYPE = { json: "application/json", yaml: "application/yaml" } as const;

export interface SchemaCheck {
  valid: boolean;
  message?: string | null;
  details: ErrorDetail[];
  tables: number;
  columns: number;
}

/** Validate an edited schema: `valid`, else each problem located (table › column › field, or line/column). */
export async function checkSchema(name: string, text: string, format: "json" | "yaml"): Promise<SchemaCheck> {
  const r = await request<SchemaCheck>("POST", `/api/experiments/${enc(name)}/schema/check`, text, SCHEMA_TYPE[format]);
  return { ...r, details: normaliseDetails(r.details) };
}

/** Save an edited schema as a new version; the next run uses it. */
export function saveSchema(name: string, text: string, format: "json" | "yaml"): Promise<SchemaSaved> {
  return request("PUT", `/api/experiments/${enc(name)}/schema`, text, SCHEMA_TYPE[format]);
}

export function listSchemaVersions(name: string): Promise<SchemaVersion[]> {
  return request("GET", `/api/experiments/${enc(name)}/schema/versions`);
}

export function getSchemaVersion(name: string, version: number): Promise<{ version: number; schema: ExperimentSchema }> {
  return request("GET", `/api/experiments/${enc(name)}/schema/versions/${version}`);
}

/** A profile of values the generator makes for one column (the editor's live histogram). */
export function previewColumn(column: Record<string, unknown>, rows = 2000): Promise<ColumnProfile> {
  return request("POST", "/api/preview/column", { column, rows });
}

export async function getDdl(name: string, dialect: string): Promise<string> {
  const r = await request<string | { ddl: string }>("GET", `/api/experiments/${enc(name)}/ddl?dialect=${enc(dialect)}`);
  return typeof r === "string" ? r : r.ddl;
}

export function getConnectInfo(name: string): Promise<ConnectInfo> {
  return request("GET", `/api/experiments/${enc(name)}/connect`);
}

export async function getProfile(name: string): Promise<Profile> {
  return normaliseProfile(await request<unknown>("GET", `/api/experiments/${enc(name)}/profile`));
}

export function health(): Promise<Health> {
  return request("GET", "/health");
}

/** Accept `{table: [col...]}`, `{tables: {...}}`, `{profile: {...}}` or `{tables: [{name, columns}]}`. */
export function normaliseProfile(raw: unknown): Profile {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  if ("profile" in r && r.profile && typeof r.profile === "object") return normaliseProfile(r.profile);
  if (Array.isArray(r.tables)) {
    const out: Profile = {};
    for (const t of r.tables as { name?: string; table?: string; columns?: ColumnProfile[] }[]) {
      const key = t.name ?? t.table;
      if (key) out[key] = t.columns ?? [];
    }
    return out;
  }
  if (r.tables && typeof r.tables === "object") return normaliseProfile(r.tables);
  const out: Profile = {};
  for (const [table, cols] of Object.entries(r)) {
    if (Array.isArray(cols)) out[table] = cols as ColumnProfile[];
    else if (cols && typeof cols === "object" && Array.isArray((cols as { columns?: unknown }).columns)) {
      out[table] = (cols as { columns: ColumnProfile[] }).columns;
    }
  }
  return out;
}

/** Per-table progress out of a run's `progress`, whichever of the two layouts the API used. */
export function tableProgress(progress: RunProgress | null | undefined): Record<string, TableProgress> {
  if (!progress) return {};
  if (progress.tables && typeof progress.tables === "object") return progress.tables as Record<string, TableProgress>;
  const out: Record<string, TableProgress> = {};
  for (const [key, value] of Object.entries(progress)) {
    if (value && typeof value === "object" && "rows_done" in value) out[key] = value as TableProgress;
  }
  return out;
}
