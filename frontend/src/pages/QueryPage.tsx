// Query an experiment in its dialect: worksheets (tabs kept in this browser), run the selection or the statement
// under the cursor, a running timer and Cancel (it interrupts the engine), the previous result marked stale while a
// query runs, a results grid, full exports and the query history.
import { useEffect, useId, useMemo, useRef, useState } from "react";
import {
  ApiError,
  cancelQuery,
  exportQuery,
  getExperiment,
  newQueryId,
  runQuery,
  type ExportFormat,
  type QueryResult,
} from "../api/client";
import { CodeEditor, type EditorMark, type EditorSelection } from "../components/LazyEditor";
import { ResultsGrid } from "../components/ResultsGrid";
import { Badge, Banner, ErrorBox, Skeleton } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { formatNumber, formatSeconds } from "../format";
import { Link, paths, useQueryParam } from "../router";
import { lineColAt, statementAt } from "../sqlStatements";
import {
  addHistory,
  clearHistory,
  loadHistory,
  loadWorksheets,
  newSheetId,
  saveWorksheets,
  type HistoryEntry,
  type Worksheets,
} from "../worksheets";

interface Ran {
  result: QueryResult;
  sql: string;
}

interface Running {
  queryId: string;
  started: number;
  sql: string;
  /** Offset of the statement in the editor (to place error marks). */
  offset: number;
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

function useTicker(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    setNow(performance.now());
    const t = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function QueryPage({ name }: { name: string }) {
  const experiment = useAsync(() => getExperiment(name), [name]);
  const [wsParam, setWsParam] = useQueryParam("ws");
  const [sheets, setSheets] = useState<Worksheets | null>(null);
  const [limit, setLimit] = useState("1000");
  const [ran, setRan] = useState<Ran | null>(null);
  const [error, setError] = useState<{ err: unknown; offset: number; sql: string } | null>(null);
  const [cancelled, setCancelled] = useState<number | null>(null);
  const [running, setRunning] = useState<Running | null>(null);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>(() => loadHistory(name));
  const selection = useRef<EditorSelection>({ from: 0, to: 0, head: 0 });
  const ids = { editor: useId(), limit: useId(), error: useId() };
  const now = useTicker(running !== null);

  useEffect(() => {
    if (!experiment.data || sheets) return;
    const first = experiment.data.schema.tables[0]?.name;
    const loaded = loadWorksheets(name, () =>
      history[0]?.sql ?? (first ? `SELECT *\nFROM ${first}\nLIMIT 100;` : "SELECT 1;"),
    );
    if (wsParam && loaded.sheets.some((s) => s.id === wsParam)) loaded.active = wsParam;
    setSheets(loaded);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [experiment.data]);

  useEffect(() => {
    if (!sheets) return;
    saveWorksheets(name, sheets);
    if (wsParam !== sheets.active) setWsParam(sheets.active);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sheets]);

  useEffect(() => {
    // Back/forward between worksheets
    if (sheets && wsParam && wsParam !== sheets.active && sheets.sheets.some((s) => s.id === wsParam)) {
      setSheets({ ...sheets, active: wsParam });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wsParam]);

  const tables = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const t of experiment.data?.schema.tables ?? []) out[t.name] = t.columns.map((c) => c.name);
    return out;
  }, [experiment.data]);

  const sheet = sheets?.sheets.find((s) => s.id === sheets.active) ?? sheets?.sheets[0];
  const sql = sheet?.sql ?? "";
  const setSql = (text: string) =>
    setSheets((s) => (s ? { ...s, sheets: s.sheets.map((w) => (w.id === s.active ? { ...w, sql: text } : w)) } : s));

  /** What Run runs: the selection, else the statement under the cursor (else everything, with `all`). */
  const pick = (all: boolean): { text: string; offset: number } | null => {
    if (all) return sql.trim() ? { text: sql, offset: 0 } : null;
    const { from, to, head } = selection.current;
    if (to > from && sql.slice(from, to).trim()) {
      const raw = sql.slice(from, to);
      return { text: raw, offset: from };
    }
    const st = statementAt(sql, Math.min(head, sql.length));
    return st ? { text: st.text, offset: st.from } : null;
  };

  const run = async (all = false, given?: { text: string; offset: number }) => {
    const chosen = given ?? pick(all);
    if (!chosen || running) return;
    const queryId = newQueryId();
    const started = performance.now();
    setRunning({ queryId, started, sql: chosen.text, offset: chosen.offset });
    setError(null);
    setCancelled(null);
    try {
      const n = Number(limit);
      const r = await runQuery(name, chosen.text, { limit: Number.isFinite(n) && n > 0 ? n : undefined, queryId });
      setRan({ result: r, sql: chosen.text });
      setHistory(
        addHistory(name, {
          sql: chosen.text,
          at: new Date().toISOString(),
          ok: true,
          rows: r.total_rows ?? r.row_count,
          elapsed_s: r.elapsed_s,
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === "query_cancelled") {
        setCancelled((performance.now() - started) / 1000);
      } else {
        setError({ err, offset: chosen.offset, sql: chosen.text });
        setHistory(
          addHistory(name, {
            sql: chosen.text,
            at: new Date().toISOString(),
            ok: false,
            message: err instanceof Error ? err.message.slice(0, 200) : String(err),
          }),
        );
      }
    } finally {
      setRunning(null);
    }
  };

  const runningRef = useRef<Running | null>(null);
  runningRef.current = running;
  const cancel = async () => {
    const target = running;
    if (!target) return;
    // The server knows the query once its request is being handled: a cancel sent before that finds nothing (404),
    // so try again for a moment while the query is still ours and running.
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await cancelQuery(target.queryId);
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) {
          setError({ err, offset: 0, sql: "" });
          return;
        }
        if (runningRef.current?.queryId !== target.queryId) return; // it ended meanwhile
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const doExport = async (format: ExportFormat) => {
    const text = ran?.sql ?? pick(false)?.text;
    if (!text) return;
    setExporting(format);
    setError(null);
    try {
      const { blob, filename } = await exportQuery(name, text, format);
      download(blob, filename);
    } catch (err) {
      setError({ err, offset: 0, sql: text });
    } finally {
      setExporting(null);
    }
  };

  const marks: EditorMark[] = useMemo(() => {
    if (!error || !(error.err instanceof ApiError)) return [];
    const base = lineColAt(sql, error.offset);
    const located = error.err.details
      .filter((d) => d.line)
      .map((d) => ({
        line: base.line + d.line! - 1,
        col: d.line === 1 && d.col ? base.col + d.col - 1 : d.col,
        message: d.message,
      }));
    if (located.length > 0) return located;
    // No line and column: mark where the text the message quotes (`near "x"`) is in what was run.
    const near = /near "([^"]{1,80})"/.exec(error.err.message)?.[1];
    const at = near ? error.sql.toLowerCase().indexOf(near.toLowerCase()) : -1;
    if (at < 0) return [];
    const pos = lineColAt(sql, error.offset + at);
    return [{ line: pos.line, col: pos.col, message: error.err.message }];
  }, [error, sql]);

  const addSheet = () =>
    setSheets((s) => {
      if (!s) return s;
      const id = newSheetId();
      const n = s.sheets.length + 1;
      return { active: id, sheets: [...s.sheets, { id, title: `Worksheet ${n}`, sql: "" }] };
    });

  const closeSheet = (id: string) =>
    setSheets((s) => {
      if (!s || s.sheets.length === 1) return s;
      const i = s.sheets.findIndex((w) => w.id === id);
      const sheets2 = s.sheets.filter((w) => w.id !== id);
      const active = s.active === id ? sheets2[Math.max(0, i - 1)].id : s.active;
      return { active, sheets: sheets2 };
    });

  const renameSheet = (id: string) => {
    const current = sheets?.sheets.find((w) => w.id === id);
    const title = window.prompt("Worksheet name", current?.title ?? "");
    if (title && title.trim())
      setSheets((s) => (s ? { ...s, sheets: s.sheets.map((w) => (w.id === id ? { ...w, title: title.trim() } : w)) } : s));
  };

  if (experiment.loading && !experiment.data) {
    return (
      <main className="page">
        <Skeleton lines={6} label={`Loading ${name}…`} />
      </main>
    );
  }
  if (experiment.error || !experiment.data) {
    return (
      <main className="page">
        <ErrorBox error={experiment.error} onRetry={experiment.reload} />
      </main>
    );
  }
  const exp = experiment.data;
  const result = ran?.result ?? null;
  const elapsed = running ? (now - running.started) / 1000 : 0;

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
          {sheets && (
            <div className="worksheet-tabs" role="tablist" aria-label="Worksheets">
              {sheets.sheets.map((w) => (
                <span key={w.id} className={`worksheet-tab${w.id === sheets.active ? " worksheet-tab-active" : ""}`}>
                  <button
                    type="button"
                    role="tab"
                    aria-selected={w.id === sheets.active}
                    onClick={() => setSheets({ ...sheets, active: w.id })}
                    onDoubleClick={() => renameSheet(w.id)}
                    title="Double-click to rename"
                  >
                    {w.title}
                  </button>
                  {sheets.sheets.length > 1 && (
                    <button
                      type="button"
                      className="icon-button worksheet-close"
                      aria-label={`Close ${w.title}`}
                      onClick={() => closeSheet(w.id)}
                    >
                      ×
                    </button>
                  )}
                </span>
              ))}
              <button type="button" className="icon-button" aria-label="New worksheet" onClick={addSheet}>
                +
              </button>
            </div>
          )}
          <div className="field">
            <label htmlFor={ids.editor} onClick={() => document.getElementById(ids.editor)?.focus()}>
              SQL ({exp.dialect})
            </label>
            {sheet && (
              <CodeEditor
                key={sheet.id}
                id={ids.editor}
                value={sql}
                onChange={setSql}
                language="sql"
                dialect={exp.dialect}
                tables={tables}
                label={`SQL query (${exp.dialect})`}
                onRun={() => void run(false)}
                onRunAll={() => void run(true)}
                onSelection={(s) => {
                  selection.current = s;
                }}
                marks={marks}
                minHeight="9rem"
                describedBy={error ? ids.error : undefined}
              />
            )}
            <p className="hint">
              Ctrl/⌘-Enter runs the selection, or the statement under the cursor; Shift-Ctrl/⌘-Enter runs them all.
            </p>
          </div>
          <div className="toolbar">
            {running ? (
              <>
                <button type="button" className="button button-danger" onClick={() => void cancel()}>
                  Cancel
                </button>
                <span className="running-timer" role="timer" aria-live="off" aria-label="Running for">
                  <span className="spinner" aria-hidden="true" /> Running… {elapsed.toFixed(1)} s
                </span>
              </>
            ) : (
              <>
                <button type="button" className="button button-primary" onClick={() => void run(false)}>
                  Run <kbd>Ctrl/⌘ Enter</kbd>
                </button>
                <button type="button" className="button" onClick={() => void run(true)}>
                  Run all
                </button>
              </>
            )}
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
            {(["csv", "parquet", "jsonl"] as const).map((f) => (
              <button
                key={f}
                type="button"
                className="button"
                onClick={() => void doExport(f)}
                disabled={exporting !== null || !sql.trim()}
                title="The whole result, without the row limit"
              >
                {exporting === f ? "Exporting…" : `Export ${f === "jsonl" ? "JSON" : f === "csv" ? "CSV" : "Parquet"}`}
              </button>
            ))}
          </div>
          {cancelled !== null && (
            <Banner kind="info" title="Cancelled:">
              the query was stopped after {formatSeconds(cancelled)}.
            </Banner>
          )}
          {error !== null && (
            <div id={ids.error}>
              <ErrorBox error={error.err} />
            </div>
          )}
          {result && (
            <section
              className={`results${running ? " results-stale" : ""}`}
              aria-label="Query results"
              data-stale={running ? "true" : "false"}
              aria-busy={running ? "true" : "false"}
            >
              {running && (
                <p className="stale-note" role="status">
                  Previous result, shown until the running query finishes.
                </p>
              )}
              <p className="result-meta" role="status">
                {result.truncated
                  ? `First ${formatNumber(result.row_count)} of ${
                      result.total_rows ? formatNumber(result.total_rows) : "more"
                    } rows in `
                  : `${formatNumber(result.row_count)} ${result.row_count === 1 ? "row" : "rows"} in `}
                {formatSeconds(result.elapsed_s)}
                {result.rows_affected !== undefined && result.rows_affected !== null && result.columns.length === 0
                  ? ` · ${formatNumber(result.rows_affected)} rows affected`
                  : ""}
              </p>
              {result.truncated && (
                <Banner kind="info" title="Capped:">
                  only the first {formatNumber(result.row_count)} rows are shown
                  {result.total_rows ? ` (the result has ${formatNumber(result.total_rows)})` : ""}; sorting and
                  filtering apply to these rows. Export the whole result as CSV, Parquet or JSON.
                </Banner>
              )}
              {result.columns.length > 0 && (
                <ResultsGrid key={ran?.sql + String(result.elapsed_s)} columns={result.columns} rows={result.rows} caption="Result rows" />
              )}
            </section>
          )}
        </div>
        <aside className="query-side stack" aria-label="Tables and query history">
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
          <section aria-label="Query history">
            <h2 className="side-title">History</h2>
            {history.length === 0 ? (
              <p className="muted small">Queries you run are kept here, in this browser.</p>
            ) : (
              <>
                <ul className="side-list recent-list">
                  {history.map((q, i) => (
                    <li key={i} className={q.ok ? undefined : "history-failed"}>
                      <button type="button" className="recent-query mono" onClick={() => setSql(q.sql)} title={q.sql}>
                        {q.sql.replace(/\s+/g, " ").slice(0, 80)}
                      </button>
                      <span className="history-meta small muted">
                        {q.ok ? `${formatNumber(q.rows ?? 0)} rows · ${formatSeconds(q.elapsed_s)}` : "failed"}
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Re-run ${q.sql.replace(/\s+/g, " ").slice(0, 40)}`}
                          onClick={() => {
                            setSql(q.sql);
                            void run(false, { text: q.sql, offset: 0 });
                          }}
                        >
                          Re-run
                        </button>
                      </span>
                    </li>
                  ))}
                </ul>
                <button
                  type="button"
                  className="link-button small"
                  onClick={() => {
                    clearHistory(name);
                    setHistory([]);
                  }}
                >
                  Clear history
                </button>
              </>
            )}
          </section>
        </aside>
      </div>
    </main>
  );
}
