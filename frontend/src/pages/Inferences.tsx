// Settings an import inferred from column names and types ({kind, table, column, fields, value, reason}): a list to
// accept or drop before creating, and, afterwards, links to each field in the schema editor.
import type { ExperimentSchema, Inference } from "../api/client";
import { Link } from "../router";

export function inferenceKey(i: Inference): string {
  return `${i.table}.${i.column}.${i.kind}`;
}

function describeValue(i: Inference): string {
  if (i.value === undefined || i.value === null) return "";
  return typeof i.value === "object" ? JSON.stringify(i.value) : String(i.value);
}

/** The schema without the dropped inferences: their fields cleared on their columns. */
export function withoutInferences(schema: ExperimentSchema, inferences: Inference[], dropped: Set<string>): ExperimentSchema {
  const copy = JSON.parse(JSON.stringify(schema)) as ExperimentSchema;
  for (const i of inferences) {
    if (!dropped.has(inferenceKey(i))) continue;
    const table = copy.tables.find((t) => t.name === i.table);
    const column = table?.columns.find((c) => c.name === i.column);
    if (!column) continue;
    for (const field of i.fields) delete (column as Record<string, unknown>)[field];
  }
  return copy;
}

export function InferenceList({
  inferences,
  dropped,
  onToggle,
  editHref,
}: {
  inferences: Inference[];
  /** With `onToggle`: checkboxes to accept (checked) or drop each one. */
  dropped?: Set<string>;
  onToggle?: (key: string) => void;
  /** A link to edit the inferred field. */
  editHref?: (i: Inference, field: string) => string;
}) {
  return (
    <ul className="inferences" aria-label="Inferences">
      {inferences.map((i) => {
        const key = inferenceKey(i);
        const kept = !dropped?.has(key);
        return (
          <li key={key} className={kept ? undefined : "inference-dropped"} data-kind={i.kind}>
            {onToggle ? (
              <label>
                <input
                  type="checkbox"
                  checked={kept}
                  onChange={() => onToggle(key)}
                  aria-label={`Keep ${i.kind} of ${i.table}.${i.column}`}
                />
                <span className="mono">
                  {i.table}.{i.column}
                </span>
              </label>
            ) : (
              <span className="mono">
                {i.table}.{i.column}
              </span>
            )}
            <span className="badge badge-info">{i.kind.replace(/_/g, " ")}</span>
            <span className="mono small">{describeValue(i)}</span>
            <span className="small muted">{i.reason}</span>
            {editHref && (
              <Link to={editHref(i, i.fields[0] ?? i.kind)} className="small" aria-label={`Edit ${i.kind} of ${i.table}.${i.column}`}>
                edit to change
              </Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}
