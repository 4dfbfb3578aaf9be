// Generate data: per-table row overrides, seed and workers; live per-table progress over SSE; cancel; the result.
import { useEffect, useId, useRef, useState } from "react";
import {
  apiToken,
  cancelRun,
  FINAL_STATUSES,
  getRun,
  runEventsUrl,
  startGeneration,
  tableProgress,
  type ExperimentSummary,
  type RunInfo,
  type RunStatus,
  type TableProgress,
} from "../api/client";
import { ProgressBar } from "../components/Charts";
import { Banner, ErrorBox, Modal, StatusBadge } from "../components/ui";
import { elapsedBetween, formatNumber, formatSeconds } from "../format";

interface Live {
  runId: number;
  /** How many progress events the stream delivered. */
  events: number;
  status: RunStatus;
  phase: string | null;
  tables: Record<string, TableProgress>;
  final: RunInfo | null;
}

/** Follow a run: EventSource on /events (progress, status, end); polling if the stream cannot be opened. */
export function useRunEvents(runId: number | null, onEnd?: (run: RunInfo) => void): Live | null {
  const [live, setLive] = useState<Live | null>(null);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;

  useEffect(() => {
    if (runId === null) return;
    let closed = false;
    setLive({ runId, events: 0, status: "PENDING", phase: null, tables: {}, final: null });
    const finish = (run: RunInfo) => {
      if (closed) return;
      closed = true;
      source?.close();
      if (timer) clearInterval(timer);
      setLive((l) => ({
        runId,
        events: l?.events ?? 0,
        status: run.status,
        phase: (run.progress?.phase as string | undefined) ?? l?.phase ?? null,
        tables: { ...(l?.tables ?? {}), ...tableProgress(run.progress) },
        final: run,
      }));
      endRef.current?.(run);
    };
    let timer: ReturnType<typeof setInterval> | null = null;
    const poll = () => {
      getRun(runId).then(
        (run) => {
          if (closed) return;
          if (FINAL_STATUSES.includes(run.status)) finish(run);
          else
            setLive((l) => ({
              runId,
              events: l?.events ?? 0,
              status: run.status,
              phase: (run.progress?.phase as string | undefined) ?? null,
              tables: { ...(l?.tables ?? {}), ...tableProgress(run.progress) },
              final: null,
            }));
        },
        () => undefined,
      );
    };
    let source: EventSource | null = null;
    // EventSource cannot send an Authorization header: with an API token, poll the run instead.
    if (typeof EventSource === "undefined" || apiToken()) {
      timer = setInterval(poll, 500);
    } else {
      source = new EventSource(runEventsUrl(runId));
      source.addEventListener("progress", (e) => {
        const d = JSON.parse((e as MessageEvent<string>).data) as { table: string } & TableProgress;
        setLive((l) =>
          l
            ? {
                ...l,
                events: l.events + 1,
                tables: { ...l.tables, [d.table]: { rows_done: d.rows_done, rows_total: d.rows_total } },
              }
            : l,
        );
      });
      source.addEventListener("status", (e) => {
        const d = JSON.parse((e as MessageEvent<string>).data) as { status: RunStatus; phase?: string | null };
        setLive((l) => (l ? { ...l, status: d.status, phase: d.phase ?? null } : l));
      });
      source.addEventListener("end", (e) => finish(JSON.parse((e as MessageEvent<string>).data) as RunInfo));
      source.onerror = () => {
        // The stream dropped (server restart, proxy): stop reconnecting and poll the run instead.
        if (closed) return;
        source?.close();
        source = null;
        if (!timer) timer = setInterval(poll, 1000);
      };
    }
    return () => {
      closed = true;
      source?.close();
      if (timer) clearInterval(timer);
    };
  }, [runId]);
  return live;
}

export function GenerateDialog({
  experiment,
  onClose,
  onFinished,
}: {
  experiment: ExperimentSummary;
  onClose: () => void;
  onFinished: (run: RunInfo) => void;
}) {
  const [rows, setRows] = useState<Record<string, string>>({});
  const [seed, setSeed] = useState("");
  const [workers, setWorkers] = useState("");
  const [runId, setRunId] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const live = useRunEvents(runId, onFinished);
  const ids = { seed: useId(), workers: useId() };

  const start = async () => {
    setError(null);
    setBusy(true);
    const overrides: Record<string, number> = {};
    for (const [t, v] of Object.entries(rows)) if (v.trim() !== "") overrides[t] = Number(v);
    try {
      const started = await startGeneration(experiment.name, {
        ...(Object.keys(overrides).length ? { rows: overrides } : {}),
        ...(seed.trim() !== "" ? { seed: Number(seed) } : {}),
        ...(workers.trim() !== "" ? { workers: Number(workers) } : {}),
      });
      setRunId(started.run_id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    if (runId === null) return;
    setCancelling(true);
    try {
      await cancelRun(runId);
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(false);
    }
  };

  const done = live?.final ?? null;
  const running = runId !== null && !done;
  const order = experiment.tables.map((t) => t.name);
  const tableNames = live ? [...order, ...Object.keys(live.tables).filter((t) => !order.includes(t))] : order;

  return (
    <Modal
      title={`Generate data: ${experiment.name}`}
      onClose={onClose}
      footer={
        runId === null ? (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" form="generate-form" className="button button-primary" disabled={busy}>
              {busy ? "Starting…" : "Start generation"}
            </button>
          </>
        ) : running ? (
          <button type="button" className="button button-danger" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel run"}
          </button>
        ) : (
          <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
            Close
          </button>
        )
      }
    >
      {runId === null ? (
        <form
          id="generate-form"
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <fieldset className="stack-tight">
            <legend>Rows per table</legend>
            {experiment.tables.map((t) => (
              <label key={t.name} className="row-field">
                <span className="mono">{t.name}</span>
                <input
                  type="number"
                  min={0}
                  inputMode="numeric"
                  value={rows[t.name] ?? ""}
                  placeholder={String(t.target_rows)}
                  onChange={(e) => setRows({ ...rows, [t.name]: e.target.value })}
                  aria-label={`Rows for ${t.name}`}
                />
              </label>
            ))}
            <p className="hint">Empty means the schema's target.</p>
          </fieldset>
          <div className="form-row">
            <div className="field">
              <label htmlFor={ids.seed}>Seed</label>
              <input
                id={ids.seed}
                type="number"
                min={0}
                value={seed}
                onChange={(e) => setSeed(e.target.value)}
                placeholder="random"
              />
            </div>
            <div className="field">
              <label htmlFor={ids.workers}>Workers</label>
              <input
                id={ids.workers}
                type="number"
                min={1}
                max={64}
                value={workers}
                onChange={(e) => setWorkers(e.target.value)}
                placeholder="auto"
              />
            </div>
          </div>
        </form>
      ) : (
        <section className="stack" aria-label="Run progress" aria-live="polite" data-progress-events={live?.events ?? 0}>
          <p>
            Run #{runId} <StatusBadge status={live?.status ?? "PENDING"} />
            {live?.phase && !done ? <span className="muted small"> · {live.phase}</span> : null}
          </p>
          <ul className="progress-list">
            {tableNames.map((t) => {
              const p = live?.tables[t];
              const total = p?.rows_total ?? experiment.tables.find((x) => x.name === t)?.target_rows ?? 0;
              return (
                <li key={t}>
                  <span className="mono">{t}</span>
                  <ProgressBar done={p?.rows_done ?? 0} total={total} label={`Progress of ${t}`} />
                  <span className="small num">
                    {formatNumber(p?.rows_done ?? 0)} / {formatNumber(total)}
                  </span>
                </li>
              );
            })}
          </ul>
          {done && <RunResult run={done} />}
        </section>
      )}
      {error !== null && <ErrorBox error={error} />}
    </Modal>
  );
}

export function RunResult({ run }: { run: RunInfo }) {
  const total = Object.values(run.row_counts ?? {}).reduce((a, b) => a + b, 0);
  const elapsed = run.elapsed_s ?? elapsedBetween(run.started_at, run.finished_at);
  if (run.status === "COMPLETED") {
    return (
      <Banner kind="success" title="Done:">
        {formatNumber(total)} rows in {formatSeconds(elapsed)} (
        {Object.entries(run.row_counts)
          .map(([t, n]) => `${t} ${formatNumber(n)}`)
          .join(", ")}
        ).
      </Banner>
    );
  }
  if (run.status === "CANCELLED") {
    return <Banner kind="info" title="Cancelled.">The previous data is unchanged.</Banner>;
  }
  return (
    <Banner kind="error" title="Failed:">
      {run.error_message ?? "the run failed"}
    </Banner>
  );
}

/** A run started elsewhere (another tab, the CLI) that is still going: its live progress, and a cancel button. */
export function ActiveRunBanner({ runId, onEnd }: { runId: number; onEnd: (run: RunInfo) => void }) {
  const live = useRunEvents(runId, onEnd);
  const [error, setError] = useState<unknown>(null);
  const tables = Object.values(live?.tables ?? {});
  const done = tables.reduce((a, t) => a + t.rows_done, 0);
  const total = tables.reduce((a, t) => a + t.rows_total, 0);
  return (
    <div className="stack-tight">
      <Banner kind="info" title={`Run #${runId} is in progress:`}>
        {total > 0 ? `${formatNumber(done)} of ${formatNumber(total)} rows` : "starting"}
        {live?.phase ? ` (${live.phase})` : ""}.{" "}
        <button type="button" className="link-button" onClick={() => cancelRun(runId).catch(setError)}>
          Cancel it
        </button>
      </Banner>
      {error !== null && <ErrorBox error={error} />}
    </div>
  );
}
