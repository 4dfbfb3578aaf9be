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
  /** Every phase seen so far, in order. */
  phases: string[];
  /** Tables done in the current phase, of how many (the load phase says). */
  phaseDone?: number | null;
  phaseTotal?: number | null;
  tables: Record<string, TableProgress>;
  final: RunInfo | null;
  /** The server cannot be reached: since when (ms) and how many tries so far. */
  lost: { since: number; attempts: number } | null;
  /** The server was unreachable during the run and answered again. */
  reconnected: boolean;
}

function withPhase(phases: string[], phase: string | null | undefined): string[] {
  return phase && !phases.includes(phase) ? [...phases, phase] : phases;
}

/** Follow a run: EventSource on /events (progress, status, end); polling if the stream cannot be opened. */
export function useRunEvents(runId: number | null, onEnd?: (run: RunInfo) => void): Live | null {
  const [live, setLive] = useState<Live | null>(null);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;

  useEffect(() => {
    if (runId === null) return;
    let closed = false;
    setLive({
      runId,
      events: 0,
      status: "PENDING",
      phase: null,
      phases: [],
      tables: {},
      final: null,
      lost: null,
      reconnected: false,
    });
    const finish = (run: RunInfo) => {
      if (closed) return;
      closed = true;
      source?.close();
      if (timer) clearInterval(timer);
      setLive((l) => {
        const phase = (run.progress?.phase as string | undefined) ?? l?.phase ?? null;
        return {
          runId,
          events: l?.events ?? 0,
          status: run.status,
          phase,
          phases: withPhase(l?.phases ?? [], phase),
          tables: { ...(l?.tables ?? {}), ...tableProgress(run.progress) },
          final: run,
          lost: null,
          reconnected: (l?.reconnected ?? false) || l?.lost != null,
        };
      });
      endRef.current?.(run);
    };
    let timer: ReturnType<typeof setInterval> | null = null;
    const poll = () => {
      getRun(runId).then(
        (run) => {
          if (closed) return;
          if (FINAL_STATUSES.includes(run.status)) finish(run);
          else
            setLive((l) => {
              const phase = (run.progress?.phase as string | undefined) ?? null;
              return {
                runId,
                events: l?.events ?? 0,
                status: run.status,
                phase,
                phases: withPhase(l?.phases ?? [], phase),
                tables: { ...(l?.tables ?? {}), ...tableProgress(run.progress) },
                final: null,
                lost: null,
                reconnected: (l?.reconnected ?? false) || l?.lost != null,
              };
            });
        },
        () => {
          // The server is down or restarting: say so, and keep trying.
          if (closed) return;
          setLive((l) =>
            l ? { ...l, lost: { since: l.lost?.since ?? Date.now(), attempts: (l.lost?.attempts ?? 0) + 1 } } : l,
          );
        },
      );
    };
    const startPolling = () => {
      if (!timer) timer = setInterval(poll, 1000);
      poll();
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
        const d = JSON.parse((e as MessageEvent<string>).data) as {
          status: RunStatus;
          phase?: string | null;
          phase_done?: number | null;
          phase_total?: number | null;
        };
        setLive((l) =>
          l
            ? {
                ...l,
                status: d.status,
                phase: d.phase ?? null,
                phases: withPhase(l.phases, d.phase),
                phaseDone: d.phase_done ?? null,
                phaseTotal: d.phase_total ?? null,
              }
            : l,
        );
      });
      source.addEventListener("end", (e) => finish(JSON.parse((e as MessageEvent<string>).data) as RunInfo));
      const dropped = () => {
        // The stream dropped or the server is stopping: stop the stream and poll the run instead.
        if (closed) return;
        source?.close();
        source = null;
        startPolling();
      };
      source.addEventListener("shutdown", dropped);
      source.onerror = dropped;
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
  const [asked, setAsked] = useState<Record<string, number>>({});
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
      setAsked(overrides);
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
      dirty={runId === null && (Object.values(rows).some((v) => v.trim() !== "") || seed.trim() !== "" || workers.trim() !== "")}
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
          </p>
          <Phases live={live} />
          {live?.lost && (
            <Banner kind="warning" title="Lost contact with the dw-sim server:">
              it may have stopped or be restarting. Retrying every second (attempt {live.lost.attempts}); the run's
              real state shows here once it answers.
            </Banner>
          )}
          {live?.reconnected && !live.lost && done && (
            <Banner kind="info" title="The server answered again.">
              This is the run's state as the server recorded it.
            </Banner>
          )}
          <ul className="progress-list">
            {tableNames.map((t) => {
              const p = live?.tables[t];
              const total =
                p?.rows_total ?? asked[t] ?? experiment.tables.find((x) => x.name === t)?.target_rows ?? 0;
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

const PHASES: { id: string; label: string }[] = [
  { id: "generate", label: "Generate" },
  { id: "load", label: "Load" },
];

/** Generate → Load, with the current phase marked and its tables counted (phases the server adds show too). The
 * column profile is computed when it is first shown, not by the run. */
function Phases({ live }: { live: Live | null }) {
  if (!live) return null;
  const known = PHASES.map((p) => p.id);
  const extra = live.phases.filter((p) => !known.includes(p) && p !== "done");
  const all = [...PHASES, ...extra.map((id) => ({ id, label: id }))];
  const finished = live.final?.status === "COMPLETED";
  const currentIndex = finished ? all.length : all.findIndex((p) => p.id === live.phase);
  return (
    <ol className="phases" aria-label="Phases">
      {all.map((p, i) => {
        const state = currentIndex < 0 ? (i === 0 && !live.final ? "current" : "todo") : i < currentIndex ? "done" : i === currentIndex ? "current" : "todo";
        return (
          <li key={p.id} className={`phase phase-${state}`} aria-current={state === "current" ? "step" : undefined}>
            {p.label}
            {state === "done" ? " ✓" : ""}
            {state === "current" && live.phaseTotal ? ` ${live.phaseDone ?? 0} / ${live.phaseTotal} tables` : ""}
          </li>
        );
      })}
    </ol>
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
      {live?.lost && (
        <Banner kind="warning" title="Lost contact with the dw-sim server:">
          retrying (attempt {live.lost.attempts}).
        </Banner>
      )}
      {error !== null && <ErrorBox error={error} />}
    </div>
  );
}
