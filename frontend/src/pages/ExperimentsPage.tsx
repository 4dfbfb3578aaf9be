// The experiments list: what exists, its state, and the create/delete controls.
import { lazy, Suspense, useState } from "react";
import { listExperiments, type ExperimentSummary } from "../api/client";
import { Badge, Banner, ErrorBox, Skeleton, StatusBadge, WarningsBadge } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { EXAMPLES, type Example } from "../examples";
import { setFlash } from "../flash";
import { formatNumber } from "../format";
import { Link, navigate, paths } from "../router";
import type { CreateInitial, Created } from "./CreateExperimentDialog";

const CreateExperimentDialog = lazy(() =>
  import("./CreateExperimentDialog").then((m) => ({ default: m.CreateExperimentDialog })),
);
const DeleteDialog = lazy(() => import("./DeleteDialog").then((m) => ({ default: m.DeleteDialog })));

export function ExperimentsPage() {
  const experiments = useAsync(listExperiments, []);
  const [creating, setCreating] = useState<CreateInitial | null>(null);
  const [deleting, setDeleting] = useState<ExperimentSummary | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onCreated = ({ experiment, warnings, notes, inferences }: Created) => {
    setCreating(null);
    setFlash({ experiment: experiment.name, warnings, notes, inferences, message: `Created ${experiment.name}.` });
    navigate(paths.experiment(experiment.name));
  };

  const useExample = (ex: Example) =>
    setCreating(
      ex.kind === "sql"
        ? { tab: "sql", text: ex.text, name: ex.name }
        : { tab: "schema", text: ex.text, format: ex.kind === "yaml" ? "yaml" : "json" },
    );

  return (
    <main className="page" aria-labelledby="experiments-title">
      <div className="page-header">
        <h1 id="experiments-title">Experiments</h1>
        <span className="spacer" />
        <button type="button" className="button button-primary" onClick={() => setCreating({ tab: "schema", text: "" })}>
          New experiment
        </button>
      </div>
      {notice && (
        <Banner kind="success" onDismiss={() => setNotice(null)}>
          {notice}
        </Banner>
      )}
      {experiments.loading && !experiments.data ? (
        <Skeleton lines={5} label="Loading experiments…" />
      ) : experiments.error ? (
        <ErrorBox error={experiments.error} onRetry={experiments.reload} />
      ) : experiments.data && experiments.data.length === 0 ? (
        <EmptyState onExample={useExample} />
      ) : (
        <ExperimentsTable experiments={experiments.data ?? []} onDelete={setDeleting} />
      )}
      <Suspense fallback={null}>
      {creating && (
        <CreateExperimentDialog initial={creating} onClose={() => setCreating(null)} onCreated={onCreated} />
      )}
      {deleting && (
        <DeleteDialog
          experiment={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(dropped) => {
            setDeleting(null);
            setNotice(`Deleted ${deleting.name} (${dropped} ${dropped === 1 ? "table" : "tables"} dropped).`);
            experiments.reload();
          }}
        />
      )}
      </Suspense>
    </main>
  );
}

function EmptyState({ onExample }: { onExample: (ex: Example) => void }) {
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">No experiments yet</h2>
      <p>
        Describe tables as a JSON/YAML schema or import your CREATE TABLE statements. Or start from one of the design
        brief's examples:
      </p>
      <ul className="example-grid">
        {EXAMPLES.map((ex) => (
          <li key={ex.id} className="card example-card">
            <h3>{ex.title}</h3>
            <p className="small muted">{ex.summary}</p>
            <div className="example-footer">
              <Badge tone="muted">{ex.kind.toUpperCase()}</Badge>
              <button
                type="button"
                className="button button-small"
                onClick={() => onExample(ex)}
                aria-label={`Use the ${ex.title} example`}
              >
                Use example
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ExperimentsTable({
  experiments,
  onDelete,
}: {
  experiments: ExperimentSummary[];
  onDelete: (e: ExperimentSummary) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="grid experiments-table">
        <caption className="sr-only">Experiments</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="hide-narrow">
              Description
            </th>
            <th scope="col">Warehouse</th>
            <th scope="col" className="num">
              Tables
            </th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col">Last run</th>
            <th scope="col">Warnings</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {experiments.map((e) => (
            <tr key={e.name} data-experiment={e.name}>
              <th scope="row">
                <Link to={paths.experiment(e.name)} className="strong">
                  {e.name}
                </Link>
              </th>
              <td className="hide-narrow description">{e.description ?? <span className="muted">—</span>}</td>
              <td className="badges-cell">
                <Badge tone="dialect" title="SQL dialect">
                  {e.dialect}
                </Badge>
                <Badge tone="warehouse" title="warehouse">
                  {e.target_warehouse}
                </Badge>
              </td>
              <td className="num">{e.table_count}</td>
              <td className="num">{formatNumber(e.total_rows ?? 0)}</td>
              <td>
                <StatusBadge status={e.last_run_status} />
              </td>
              <td>
                <WarningsBadge warnings={e.warnings} />
              </td>
              <td className="row-actions">
                <Link to={paths.query(e.name)} className="button button-small" aria-label={`Query ${e.name}`}>
                  Query
                </Link>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => onDelete(e)}
                  aria-label={`Delete ${e.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
