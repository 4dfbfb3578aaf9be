// One experiment: its tables (with a data preview), ER diagram, schema editor, column profiles, run history, DDL and
// connection settings. The tab and the selections are in the URL (`?tab=diagram&table=orders`).
import { lazy, Suspense, useEffect, useId, useState } from "react";
import {
  ApiError,
  DIALECTS,
  getConnectInfo,
  getDdl,
  getExperiment,
  listRuns,
  runQuery,
  type ColumnProfile,
  type ConnectInfo,
  type ExperimentDetail,
  type Profile,
  type QueryResult,
  type RunInfo,
  type TableSchema,
} from "../api/client";
import { Histogram, isBuckets, TopValues } from "../components/Charts";
import { ResultsGrid } from "../components/ResultsGrid";
import { SchemaTables } from "../components/SchemaTables";
import {
  Badge,
  Banner,
  CopyButton,
  ErrorBox,
  Skeleton,
  StatusBadge,
  TabPanel,
  Tabs,
  WarningBanners,
} from "../components/ui";
import { useAsync } from "../components/useAsync";
import { clearFlash, readFlash } from "../flash";
import { elapsedBetween, formatDate, formatNumber, formatPercent, formatSeconds, formatValue } from "../format";
import { Link, navigate, paths, useQueryParam } from "../router";
import { InferenceList } from "./Inferences";

const ErDiagram = lazy(() => import("../components/ErDiagram"));
const SchemaEditor = lazy(() => import("./SchemaEditor").then((m) => ({ default: m.SchemaEditor })));
const GenerateDialog = lazy(() => import("./GenerateDialog").then((m) => ({ default: m.GenerateDialog })));
const ActiveRunBanner = lazy(() => import("./GenerateDialog").then((m) => ({ default: m.ActiveRunBanner })));
const DeleteDialog = lazy(() => import("./DeleteDialog").then((m) => ({ default: m.DeleteDialog })));

const SECTIONS = ["tables", "diagram", "schema", "profile", "runs", "ddl", "connect"] as const;
type Section = (typeof SECTIONS)[number];

export function ExperimentPage({ name }: { name: string }) {
  const detail = useAsync(() => getExperiment(name), [name]);
  const [flash] = useState(() => readFlash(name));
  const [tabParam, setTab] = useQueryParam("tab");
  const [table, setTable] = useQueryParam("table");
  const [focus] = useQueryParam("focus");
  const [column] = useQueryParam("column");
  const section: Section = (SECTIONS as readonly string[]).includes(tabParam ?? "") ? (tabParam as Section) : "tables";
  const [generating, setGenerating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [runsVersion, setRunsVersion] = useState(0);
  const [schemaOpened, setSchemaOpened] = useState(section === "schema");
  const [schemaDirty, setSchemaDirty] = useState(false);
  const [schemaKey, setSchemaKey] = useState(0);

  useEffect(() => () => clearFlash(name), [name]);
  useEffect(() => {
    if (section === "schema") setSchemaOpened(true);
  }, [section]);
  useEffect(() => {
    if (!schemaDirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [schemaDirty]);

  if (detail.loading && !detail.data) {
    return (
      <main className="page">
        <Skeleton lines={8} label={`Loading ${name}…`} />
      </main>
    );
  }
  if (detail.error || !detail.data) {
    const missing = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <main className="page">
        <p>
          <Link to={paths.experiments()}>← Experiments</Link>
        </p>
        {missing ? (
          <Banner kind="error" title="Not found:">
            there is no experiment named {name}.
          </Banner>
        ) : (
          <ErrorBox error={detail.error} onRetry={detail.reload} />
        )}
      </main>
    );
  }
  const exp = detail.data;

  return (
    <main className="page" aria-labelledby="experiment-title">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.experiments()}>Experiments</Link> <span aria-hidden="true">/</span> <span>{exp.name}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1 id="experiment-title">{exp.name}</h1>
          {exp.description && <p className="muted">{exp.description}</p>}
          <p className="badges">
            <Badge tone="dialect" title="SQL dialect">
              {exp.dialect}
            </Badge>
            <Badge tone="warehouse" title="warehouse">
              {exp.target_warehouse}
            </Badge>
            <span className="small muted">
              {exp.table_count} {exp.table_count === 1 ? "table" : "tables"} · {formatNumber(exp.total_rows ?? 0)} rows ·{" "}
              {exp.last_run_status ? (
                <>
                  last run <StatusBadge status={exp.last_run_status} />
                </>
              ) : (
                "no data generated yet"
              )}
            </span>
          </p>
        </div>
        <span className="spacer" />
        <div className="header-actions">
          <button type="button" className="button button-primary" onClick={() => setGenerating(true)}>
            Generate data
          </button>
          <Link to={paths.query(exp.name)} className="button">
            Query
          </Link>
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete
          </button>
        </div>
      </div>
      {flash?.message && <Banner kind="success">{flash.message}</Banner>}
      {flash && flash.warnings.length > 0 ? (
        <WarningBanners warnings={flash.warnings} title="Import warning:" />
      ) : (
        exp.warnings.length > 0 && <WarningBanners warnings={exp.warnings} title="Warning:" />
      )}
      {flash?.inferences && flash.inferences.length > 0 && (
        <section className="card inferences-card" aria-label="Inferred settings">
          <h2 className="side-title">Inferred from the DDL</h2>
          <InferenceList
            inferences={flash.inferences}
            editHref={(i, field) => paths.experiment(exp.name, { tab: "schema", focus: `${i.table}.${i.column}.${field}` })}
          />
        </section>
      )}
      <Suspense fallback={null}>
        {!generating && exp.last_run && (exp.last_run.status === "RUNNING" || exp.last_run.status === "PENDING") && (
          <ActiveRunBanner
            key={exp.last_run.id}
            runId={exp.last_run.id}
            onEnd={() => {
              setRunsVersion((v) => v + 1);
              detail.reload();
            }}
          />
        )}
      </Suspense>
      <Tabs
        label="Experiment sections"
        idPrefix="exp"
        active={section}
        onChange={(id) => setTab(id === "tables" ? null : id, true)}
        tabs={[
          { id: "tables", label: "Tables" },
          { id: "diagram", label: "Diagram" },
          { id: "schema", label: schemaDirty ? "Schema •" : "Schema" },
          { id: "profile", label: "Profile" },
          { id: "runs", label: "Runs" },
          { id: "ddl", label: "DDL" },
          { id: "connect", label: "Connect" },
        ]}
      />
      <TabPanel idPrefix="exp" id={section}>
        {section === "tables" && (
          <SchemaTables
            tables={exp.schema.tables}
            info={exp.tables}
            profileHref={(t, c) => paths.experiment(exp.name, { tab: "profile", column: `${t}.${c}` })}
            renderExtra={(t) => <DataPreview key={t.name} name={exp.name} table={t} loaded={exp.tables.find((x) => x.name === t.name)?.row_count ?? null} />}
          />
        )}
        {section === "diagram" && (
          <Suspense fallback={<Skeleton lines={10} label="Loading the diagram…" />}>
            <ErDiagram schema={exp.schema} selected={table} onSelect={(t) => setTable(t)} />
          </Suspense>
        )}
        {schemaOpened && (
          <div hidden={section !== "schema"}>
            <Suspense fallback={<Skeleton lines={10} label="Loading the schema editor…" />}>
              <SchemaEditor
                key={schemaKey}
                name={exp.name}
                schema={exp.schema}
                focus={focus}
                onDirty={setSchemaDirty}
                onSaved={() => {
                  detail.reload();
                }}
              />
            </Suspense>
          </div>
        )}
        {section === "profile" && (
          <ProfileView profile={exp.profile} onGenerate={() => setGenerating(true)} highlight={column} />
        )}
        {section === "runs" && <RunHistory name={exp.name} version={runsVersion} />}
        {section === "ddl" && <DdlView name={exp.name} dialect={exp.dialect} />}
        {section === "connect" && <ConnectView name={exp.name} />}
      </TabPanel>
      <Suspense fallback={null}>
        {generating && (
          <GenerateDialog
            experiment={exp}
            onClose={() => {
              setGenerating(false);
              detail.reload();
            }}
            onFinished={() => {
              setRunsVersion((v) => v + 1);
              detail.reload();
            }}
          />
        )}
        {deleting && (
          <DeleteDialog
            experiment={exp}
            onClose={() => setDeleting(false)}
            onDeleted={() => {
              setDeleting(false);
              setSchemaKey((k) => k + 1);
              navigate(paths.experiments());
            }}
          />
        )}
      </Suspense>
    </main>
  );
}

/** The first rows of a table, sortable (the sort runs in the warehouse, over the whole table). */
function DataPreview({ name, table, loaded }: { name: string; table: TableSchema; loaded: number | null }) {
  const [open, setOpen] = useState(false);
  const [sort, setSort] = useState<{ column: string; dir: "asc" | "desc" } | null>(null);
  const [state, setState] = useState<{ result?: QueryResult; error?: unknown; loading: boolean }>({ loading: false });
  useEffect(() => {
    if (!open) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const order = sort ? ` ORDER BY ${sort.column} ${sort.dir.toUpperCase()}` : "";
    runQuery(name, `SELECT * FROM ${table.name}${order} LIMIT ${PREVIEW_ROWS}`, { limit: PREVIEW_ROWS }).then(
      (result) => live && setState({ result, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [open, sort, name, table.name]);
  if (!open) {
    return (
      <button type="button" className="button button-small" onClick={() => setOpen(true)} disabled={loaded === null}>
        {loaded === null ? "No data yet" : `Preview data`}
      </button>
    );
  }
  return (
    <section className="data-preview stack-tight" aria-label={`Data of ${table.name}`} aria-busy={state.loading}>
      <div className="toolbar">
        <strong className="small">
          First {PREVIEW_ROWS} rows{sort ? `, by ${sort.column} ${sort.dir === "asc" ? "ascending" : "descending"}` : ""}
        </strong>
        {state.loading && <span className="spinner" aria-hidden="true" />}
        <span className="spacer" />
        <Link to={paths.query(name)} className="button button-small">
          Open in Query
        </Link>
        <button type="button" className="button button-small" onClick={() => setOpen(false)}>
          Hide
        </button>
      </div>
      {state.error !== undefined && state.error !== null ? (
        <ErrorBox error={state.error} />
      ) : state.result ? (
        <ResultsGrid
          columns={state.result.columns}
          rows={state.result.rows}
          caption={`First rows of ${table.name}`}
          serverSort={sort}
          onServerSort={(column, dir) => setSort(dir ? { column, dir } : null)}
          filterable={false}
        />
      ) : (
        <Skeleton lines={4} label={`Loading rows of ${table.name}…`} />
      )}
    </section>
  );
}

const PREVIEW_ROWS = 100;

export function ProfileView({
  profile,
  onGenerate,
  highlight,
}: {
  profile: Profile;
  onGenerate?: () => void;
  /** "table.column" to scroll to and mark. */
  highlight?: string | null;
}) {
  const tables = Object.entries(profile);
  useEffect(() => {
    if (!highlight) return;
    const el = document.querySelector<HTMLElement>(`[data-profile="${CSS.escape(highlight)}"]`);
    el?.scrollIntoView({ block: "center" });
    el?.focus();
  }, [highlight]);
  if (tables.length === 0) {
    return (
      <div className="empty-state small-empty">
        <p>No profile yet: column statistics appear after a completed run.</p>
        {onGenerate && (
          <button type="button" className="button button-primary" onClick={onGenerate}>
            Generate data
          </button>
        )}
      </div>
    );
  }
  return (
    <div className="stack">
      {tables.map(([table, columns]) => (
        <section key={table} aria-label={`Profile of ${table}`} className="profile-table">
          <h3 className="mono">{table}</h3>
          <div className="profile-grid">
            {columns.map((c) => (
              <ColumnCard key={c.column} table={table} profile={c} highlighted={highlight === `${table}.${c.column}`} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

function ColumnCard({ table, profile: c, highlighted }: { table: string; profile: ColumnProfile; highlighted: boolean }) {
  const items = c.histogram ?? c.top_values ?? [];
  const label = `${table}.${c.column}`;
  return (
    <article
      className={`card column-card${highlighted ? " column-card-highlight" : ""}`}
      aria-label={`Column ${label}`}
      data-profile={label}
      tabIndex={-1}
    >
      <header>
        <h4 className="mono">{c.column}</h4>
        <span className="mono small muted">{c.data_type}</span>
      </header>
      <dl className="stats">
        <div>
          <dt>Nulls</dt>
          <dd>{formatPercent(c.null_fraction)}</dd>
        </div>
        <div>
          <dt>Distinct</dt>
          <dd>{formatNumber(c.distinct)}</dd>
        </div>
        <div>
          <dt>Min</dt>
          <dd className="mono" title={formatValue(c.min)}>
            {formatValue(c.min)}
          </dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd className="mono" title={formatValue(c.max)}>
            {formatValue(c.max)}
          </dd>
        </div>
        {c.mean !== undefined && c.mean !== null && (
          <div>
            <dt>Mean</dt>
            <dd className="mono">{formatValue(typeof c.mean === "string" ? Number(c.mean) : c.mean)}</dd>
          </div>
        )}
        {c.stddev !== undefined && c.stddev !== null && (
          <div>
            <dt>Std dev</dt>
            <dd className="mono">{formatValue(typeof c.stddev === "string" ? Number(c.stddev) : c.stddev)}</dd>
          </div>
        )}
      </dl>
      {items.length > 0 &&
        (isBuckets(items) ? (
          <Histogram buckets={items} label={label} />
        ) : (
          <TopValues values={items as { value: unknown; count: number }[]} label={label} rows={c.rows} />
        ))}
    </article>
  );
}

export function RunHistory({ name, version }: { name: string; version: number }) {
  const runs = useAsync(() => listRuns(name), [name, version]);
  if (runs.loading && !runs.data) return <Skeleton lines={4} label="Loading runs…" />;
  if (runs.error) return <ErrorBox error={runs.error} onRetry={runs.reload} />;
  if (!runs.data || runs.data.length === 0) return <p className="empty-state small-empty">No runs yet.</p>;
  return (
    <div className="table-scroll">
      <table className="grid">
        <caption className="sr-only">Generation runs</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Time
            </th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col">Seed</th>
            <th scope="col" className="num">
              Workers
            </th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.map((r: RunInfo) => (
            <tr key={r.id}>
              <th scope="row">#{r.id}</th>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{formatDate(r.started_at ?? r.created_at)}</td>
              <td className="num">{formatSeconds(r.elapsed_s ?? elapsedBetween(r.started_at, r.finished_at))}</td>
              <td className="num">{formatNumber(Object.values(r.row_counts ?? {}).reduce((a, b) => a + b, 0))}</td>
              <td className="mono">{r.seed ?? "—"}</td>
              <td className="num">{r.workers}</td>
              <td className="small">{r.error_message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DdlView({ name, dialect: initial }: { name: string; dialect: string }) {
  const [dialect, setDialect] = useState(initial);
  const ddl = useAsync(() => getDdl(name, dialect), [name, dialect]);
  const selectId = useId();
  return (
    <div className="stack">
      <div className="field inline-field">
        <label htmlFor={selectId}>Dialect</label>
        <select id={selectId} value={dialect} onChange={(e) => setDialect(e.target.value)}>
          {DIALECTS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      {ddl.loading ? (
        <Skeleton lines={8} label="Loading DDL…" />
      ) : ddl.error ? (
        <ErrorBox error={ddl.error} onRetry={ddl.reload} />
      ) : (
        <pre className="code-block" aria-label={`CREATE TABLE statements (${dialect})`} tabIndex={0}>
          {ddl.data}
        </pre>
      )}
    </div>
  );
}

/** Ready-to-paste settings for the user's own clients (psql, redshift_connector, SQLAlchemy, dbt, Snowflake). */
export function ConnectView({ name }: { name: string }) {
  const info = useAsync(() => getConnectInfo(name), [name]);
  if (info.loading) return <Skeleton lines={6} label="Loading connection settings…" />;
  if (info.error) return <ErrorBox error={info.error} onRetry={info.reload} />;
  const data = info.data as ConnectInfo;
  const rs = data.redshift;
  const sf = data.snowflake;
  return (
    <div className="stack">
      <section aria-label="Redshift endpoint" className="stack">
        <h3>
          Redshift endpoint <StatusBadge status={rs.running ? "RUNNING" : "PENDING"} />
        </h3>
        <p>
          {rs.running
            ? `Listening on ${rs.host}:${rs.port}.`
            : "Not running: start it with `dw-sim serve` (or `dw-sim redshift-endpoint`)."}{" "}
          {rs.credentials}
        </p>
        <Snippet label="psql" text={rs.psql} />
        <Snippet label="redshift_connector (Python)" text={rs.redshift_connector} />
        <Snippet label="SQLAlchemy URL" text={rs.sqlalchemy} />
        <Snippet label="dbt profiles.yml (redshift)" text={yamlBlock(rs.dbt_profile)} />
        {rs.dbt_note && <p className="muted">{rs.dbt_note}</p>}
      </section>
      <section aria-label="Snowflake endpoint" className="stack">
        <h3>Snowflake endpoint</h3>
        {sf.available && sf.snowflake_connector ? (
          <>
            {!sf.running && sf.start && <p>Not running: start it with `{sf.start}`.</p>}
            <Snippet label="snowflake.connector.connect(...)" text={kwargs(sf.snowflake_connector)} />
            {sf.sqlalchemy && <Snippet label="snowflake-sqlalchemy URL" text={sf.sqlalchemy} />}
            {sf.dbt_profile && <Snippet label="dbt profiles.yml (snowflake)" text={yamlBlock(sf.dbt_profile)} />}
          </>
        ) : (
          <p>The Snowflake endpoint is not installed (pip install "dw-sim[snowflake]").</p>
        )}
      </section>
    </div>
  );
}

function Snippet({ label, text }: { label: string; text: string }) {
  return (
    <figure className="stack-tight snippet">
      <figcaption>
        <span>{label}</span>
        <CopyButton text={text} label={label} />
      </figcaption>
      <pre className="code-block" aria-label={label} tabIndex={0}>
        {text}
      </pre>
    </figure>
  );
}

function yamlBlock(profile: Record<string, string | number | boolean>): string {
  return ["dev:", ...Object.entries(profile).map(([k, v]) => `  ${k}: ${v}`)].join("\n");
}

function kwargs(params: Record<string, string | number | boolean>): string {
  const args = Object.entries(params).map(([k, v]) => `    ${k}=${typeof v === "string" ? JSON.stringify(v) : v},`);
  return ["snowflake.connector.connect(", ...args, ")"].join("\n");
}

export type { ExperimentDetail };
