// Query an experiment in its dialect: editor, results grid with types and pages, export, recent queries.
import { useEffect, useId, useMemo, useState } from "react";
import {
  ApiError,
  exportQuery,
  getExperiment,
  runQuery,
  type QueryResult,
} from "../api/client";
import { CodeEditor, type EditorMark } from "../components/CodeEditor";
import { Badge, Banner, ErrorBox, Loading } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { formatNumber, formatSeconds, formatValue } from "../format";
import { Link, paths } from "../router";

const PAGE_SIZE = 50;
const RECENT_MAX = 15;

export interface RecentQuery {
  sql: string;
  at: string;
}

const recentKey = (name: string) => `dw-sim:recent-queries:${name}`;

export function loadRecent(name: string): RecentQuery[] {
  try {
    const raw = window.localStorage.getItem(recentKey(name));
    const list = raw ? (JSON.parse(raw) as RecentQuery[]) : [];
    return Array.isArray(list) ? list.filter((q) => typeof q.sql === "string") : [];
  } catch {
    return [];
  }
}

export function saveRecent(name: string, sql: string): RecentQuery[] {
  const list = [{ sql, at: new Date().toISOString() }, ...loadRecent(name).filter((q) => q.sql !== sql)].slice(
    0,
    RECENT_MAX,
  );
  try {
    window.localStorage.setItem(recentKey(name), JSON.stringify(list));
  } catch {
    /* storage full or disabled: recent queries are a convenience */
  }
  return list;
}

function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function QueryPage({ name }: { name: string }) {
  const experiment = useAsync(() => getExperiment(name), [name]);
  const [sql, setSql] = useState("");
  const [limit, setLimit] = useState("1000");
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [exporting, setExporting] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [recent, setRecent] = useState<RecentQuery[]>(() => loadRecent(name));
  const ids = { editor: useId(), limit: useId(), error: useId() };

  useEffect(() => {
    if (experiment.data && sql === "") {
      const first = experiment.data.schema.tables[0]?.name;
      setSql(recent[0]?.sql ?? (first ? `SELECT *\nFROM ${first}\nLIMIT 100;` : "SELECT 1;"));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [experiment.data]);

  const tables = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const t of experiment.data?.schema.tables ?? []) out[t.name] = t.columns.map((c) => c.name);
    return out;
  }, [experiment.data]);

  const run = async () => {
    if (!sql.trim() || running) return;
    setRunning(true);
    setError(null);
    try {
      const n = Number(limit);
      const r = await runQuery(name, sql, Number.isFinite(n) && n > 0 ? n : undefined);
      setResult(r);
      setPage(0);
      setRecent(saveRecent(name, sql));
    } catch (err) {
      setError(err);
      setResult(null);
    } finally {
      setRunning(false);
    }
  };

  const doExport = async (format: "csv" | "parquet") => {
    setExporting(format);
    setError(null);
    try {
      const { blob, filename } = await exportQuery(name, sql, format);
      download(blob, filename);
    } catch (err) {
      setError(err);
    } finally {
      setExporting(null);
    }
  };

  const marks: EditorMark[] = useMemo(() => {
    if (!(error instanceof ApiError)) return [];
    return error.details.filter((d) => d.line).map((d) => ({ line: d.line!, col: d.col, message: d.message }));
  }, [error]);

  if (experiment.loading && !experiment.data) return <Loading label={`Loading ${name}…`} />;
  if (experiment.error || !experiment.data) {
    return (
      <main className="page">
        <ErrorBox error={experiment.error} onRetry={experiment.reload} />
      </main>
    );
  }
  const exp = experiment.data;
  const pages = result ? Math.max(1, Math.ceil(result.rows.length / PAGE_SIZE)) : 1;
  const shown = result ? result.rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE) : [];

  return (
    <main className="page query-page" aria-labelledby="query-title">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.experiments()}>Experiments</Link> <span aria-hidden="true">/</span>{" "}
        <Link to={paths.experiment(exp.name)}>{exp.name}</Link> <span aria-hidden="true">/</span> <span>Query</span>
      </nav>
      <div className="page-header">
        <h1 id="query-title">Query {exp.name}</h1>
        <Badge tone="dialect" title="SQL dialect">
          {exp.dialect}
        </Badge>
        <Badge tone="warehouse" title="warehouse">
          {exp.target_warehouse}
        </Badge>
      </div>
      <div className="query-layout">
        <div className="query-main stack">
          <div className="field">
            <label htmlFor={ids.editor} onClick={() => document.getElementById(ids.editor)?.focus()}>
              SQL ({exp.dialect})
            </label>
            <CodeEditor
              id={ids.editor}
              value={sql}
              onChange={setSql}
              language="sql"
              dialect={exp.dialect}
              tables={tables}
              label={`SQL query (${exp.dialect})`}
              onRun={() => void run()}
              marks={marks}
              minHeight="9rem"
              describedBy={error ? ids.error : undefined}
            />
          </div>
          <div className="toolbar">
            <button type="button" className="button button-primary" onClick={() => void run()} disabled={running}>
              {running ? "Running…" : "Run"} <kbd>Ctrl/⌘ Enter</kbd>
            </button>
            <label className="inline-field">
              Row limit
              <input
                id={ids.limit}
                type="number"
                min={1}
                value={limit}
                onChange={(e) => setLimit(e.target.value)}
                className="narrow-input"
              />
            </label>
            <span className="spacer" />
            <button
              type="button"
              className="button"
              onClick={() => void doExport("csv")}
              disabled={exporting !== null || !sql.trim()}
            >
              {exporting === "csv" ? "Exporting…" : "Export CSV"}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void doExport("parquet")}
              disabled={exporting !== null || !sql.trim()}
            >
              {exporting === "parquet" ? "Exporting…" : "Export Parquet"}
            </button>
          </div>
          {error !== null && (
            <div id={ids.error}>
              <ErrorBox error={error} />
            </div>
          )}
          {result && (
            <section className="results" aria-label="Query results">
              <p className="result-meta" role="status">
                {formatNumber(result.row_count)} {result.row_count === 1 ? "row" : "rows"} in{" "}
                {formatSeconds(result.elapsed_s)}
                {result.rows_affected !== undefined && result.rows_affected !== null && result.columns.length === 0
                  ? ` · ${formatNumber(result.rows_affected)} rows affected`
                  : ""}
              </p>
              {result.truncated && (
                <Banner kind="info" title="Truncated:">
                  only the first {formatNumber(result.row_count)} rows are shown; export the full result as CSV or
                  Parquet.
                </Banner>
              )}
              {result.columns.length > 0 && (
                <>
                  <div className="table-scroll results-scroll">
                    <table className="grid results-grid">
                      <caption className="sr-only">Result rows, page {page + 1}</caption>
                      <thead>
                        <tr>
                          {result.columns.map((c, i) => (
                            <th key={i} scope="col">
                              <span className="mono">{c.name}</span>
                              <span className="col-type">{c.type}</span>
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {shown.map((row, r) => (
                          <tr key={r}>
                            {row.map((v, i) => (
                              <td key={i} className={v === null ? "null mono" : typeof v === "number" ? "num mono" : "mono"}>
                                {formatValue(v)}
                              </td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  {pages > 1 && (
                    <nav className="pager" aria-label="Result pages">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setPage(page - 1)}
                        disabled={page === 0}
                      >
                        Previous
                      </button>
                      <span>
                        Rows {formatNumber(page * PAGE_SIZE + 1)}–
                        {formatNumber(Math.min(result.rows.length, (page + 1) * PAGE_SIZE))} of{" "}
                        {formatNumber(result.rows.length)} · page {page + 1} of {pages}
                      </span>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setPage(page + 1)}
                        disabled={page >= pages - 1}
                      >
                        Next
                      </button>
                    </nav>
                  )}
                </>
              )}
            </section>
          )}
        </div>
        <aside className="query-side stack" aria-label="Tables and recent queries">
          <section>
            <h2 className="side-title">Tables</h2>
            <ul className="side-list">
              {exp.schema.tables.map((t) => (
                <li key={t.name}>
                  <details>
                    <summary className="mono">{t.name}</summary>
                    <ul className="side-columns">
                      {t.columns.map((c) => (
                        <li key={c.name}>
                          <span className="mono">{c.name}</span> <span className="muted small">{c.data_type}</span>
                        </li>
                      ))}
                    </ul>
                  </details>
                </li>
              ))}
            </ul>
          </section>
          <section>
            <h2 className="side-title">Recent queries</h2>
            {recent.length === 0 ? (
              <p className="muted small">Queries you run are kept here, in this browser.</p>
            ) : (
              <ul className="side-list recent-list">
                {recent.map((q, i) => (
                  <li key={i}>
                    <button type="button" className="recent-query mono" onClick={() => setSql(q.sql)} title={q.sql}>
                      {q.sql.replace(/\s+/g, " ").slice(0, 80)}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </div>
    </main>
  );
}
