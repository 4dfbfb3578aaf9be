// Tables and their columns as the schema describes them: types, lengths, flags, faker rules, ranges, FKs.
import type { ReactNode } from "react";
import type { ColumnSchema, TableInfo, TableSchema } from "../api/client";
import { Link } from "../router";
import { formatNumber } from "../format";
import { Badge } from "./ui";

function range(c: ColumnSchema): string {
  if (c.min_value !== undefined && c.min_value !== null) return `${c.min_value} … ${c.max_value ?? "∞"}`;
  if (c.max_value !== undefined && c.max_value !== null) return `… ${c.max_value}`;
  if (c.date_start || c.date_end) return `${c.date_start ?? "…"} → ${c.date_end ?? "…"}`;
  return "";
}

function distribution(c: ColumnSchema): string {
  const d = c.distribution;
  if (!d) return "";
  const { type, ...params } = d as { type?: string } & Record<string, unknown>;
  const shown = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && !Array.isArray(v))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return `${type ?? "?"}${shown ? ` (${shown})` : ""}`;
}

export function ColumnsTable({
  table,
  caption,
  profileHref,
}: {
  table: TableSchema;
  caption?: string;
  /** A link per column to its profile. */
  profileHref?: (table: string, column: string) => string;
}) {
  return (
    <div className="table-scroll">
      <table className="grid columns-table">
        <caption className="sr-only">{caption ?? `Columns of ${table.name}`}</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Length</th>
            <th scope="col">Flags</th>
            <th scope="col">Faker rule</th>
            <th scope="col">Range</th>
            <th scope="col">Distribution</th>
            <th scope="col">Foreign key</th>
            {profileHref && (
              <th scope="col">
                <span className="sr-only">Profile</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {table.columns.map((c) => (
            <tr key={c.name}>
              <th scope="row" className="mono">
                {c.name}
              </th>
              <td className="mono">{c.data_type}</td>
              <td>{c.varchar_length ?? ""}</td>
              <td className="flags">
                {c.is_unique && <Badge tone="info">unique</Badge>}
                {c.required && <Badge tone="neutral">required</Badge>}
                {c.identity && <Badge tone="neutral">identity</Badge>}
                {!c.required && c.null_rate ? <Badge tone="muted">{`${Math.round(c.null_rate * 100)}% null`}</Badge> : null}
              </td>
              <td className="mono">{c.faker_rule ?? ""}</td>
              <td className="mono">{range(c)}</td>
              <td className="mono">{distribution(c)}</td>
              <td className="mono">
                {c.foreign_key ? `→ ${c.foreign_key.references_table}.${c.foreign_key.references_column}` : ""}
              </td>
              {profileHref && (
                <td>
                  <Link to={profileHref(table.name, c.name)} aria-label={`Profile of ${table.name}.${c.name}`}>
                    profile
                  </Link>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SchemaTables({
  tables,
  info,
  rowInputs,
  profileHref,
  renderExtra,
}: {
  tables: TableSchema[];
  info?: TableInfo[];
  profileHref?: (table: string, column: string) => string;
  /** More under each table (the data preview). */
  renderExtra?: (table: TableSchema) => ReactNode;
  /** Optional per-table row-count inputs (used by the SQL import preview). */
  rowInputs?: { values: Record<string, string>; onChange: (table: string, value: string) => void };
}) {
  return (
    <div className="schema-tables">
      {tables.map((t) => {
        const ti = info?.find((i) => i.name === t.name);
        return (
          <section key={t.name} className="card table-card" aria-label={`Table ${t.name}`}>
            <header className="table-card-header">
              <h3 className="mono">{t.name}</h3>
              <span className="muted small">
                {t.columns.length} columns
                {ti && ti.physical_name !== t.name ? ` · stored as ${ti.physical_name}` : ""}
              </span>
              <span className="spacer" />
              {rowInputs ? (
                <label className="inline-field">
                  Rows
                  <input
                    type="number"
                    min={0}
                    inputMode="numeric"
                    value={rowInputs.values[t.name] ?? ""}
                    placeholder={String(t.target_rows ?? 1000)}
                    onChange={(e) => rowInputs.onChange(t.name, e.target.value)}
                    aria-label={`Rows for ${t.name}`}
                  />
                </label>
              ) : (
                <span className="small">
                  target {formatNumber(ti?.target_rows ?? t.target_rows)} rows
                  {ti && ti.row_count !== null ? ` · ${formatNumber(ti.row_count)} loaded` : ""}
                </span>
              )}
            </header>
            {t.composite_keys && t.composite_keys.length > 0 && (
              <p className="small muted">Composite key: {t.composite_keys.map((k) => `(${k.join(", ")})`).join(", ")}</p>
            )}
            <ColumnsTable table={t} profileHref={profileHref} />
            {renderExtra?.(t)}
          </section>
        );
      })}
    </div>
  );
}
