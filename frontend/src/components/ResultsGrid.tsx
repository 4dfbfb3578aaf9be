// A results grid: sort by a column, filter rows, resize columns, numbers right-aligned, NULL shown as NULL, and a
// viewer for JSON / VARIANT / SUPER cells. Rows are paged (50 at a time) so large results stay fast.
import { useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import type { QueryColumn } from "../api/client";
import { formatNumber, formatValue } from "../format";
import { CopyButton, Modal } from "./ui";

export const PAGE_SIZE = 50;
const NUMERIC = /^(TINYINT|SMALLINT|INT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|INT[248]|FLOAT[48]?|REAL|DOUBLE|DECIMAL|NUMERIC|NUMBER|FIXED)/i;
const NESTED = /^(JSON|VARIANT|SUPER|OBJECT|ARRAY|STRUCT|MAP|UNION)|\[\]$/i;

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type.trim());
}

export function isNestedType(type: string): boolean {
  return NESTED.test(type.trim());
}

type Dir = "asc" | "desc";

function compare(a: unknown, b: unknown, numeric: boolean): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1; // NULLs last
  if (b === null || b === undefined) return -1;
  if (numeric) {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a).localeCompare(JSON.stringify(b));
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A nested value as JSON text for the viewer (JSON columns may arrive as text). */
function prettyJson(value: unknown): string {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

export interface ResultsGridProps {
  columns: QueryColumn[];
  rows: unknown[][];
  /** What the grid is of, for screen readers. */
  caption: string;
  /** Sort on the server instead (the table preview): called with the column and direction. */
  onServerSort?: (column: string, dir: Dir | null) => void;
  serverSort?: { column: string; dir: Dir } | null;
  filterable?: boolean;
}

export function ResultsGrid({ columns, rows, caption, onServerSort, serverSort, filterable = true }: ResultsGridProps) {
  const [sort, setSort] = useState<{ index: number; dir: Dir } | null>(null);
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);
  const [widths, setWidths] = useState<Record<number, number>>({});
  const [viewing, setViewing] = useState<{ column: string; value: unknown } | null>(null);
  const headRefs = useRef<Record<number, HTMLTableCellElement | null>>({});
  const numeric = useMemo(() => columns.map((c) => isNumericType(c.type)), [columns]);
  const nested = useMemo(() => columns.map((c) => isNestedType(c.type)), [columns]);

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    let out = rows;
    if (needle) {
      out = rows.filter((row) =>
        row.some((v) => (v === null ? "null" : formatValue(v)).toLowerCase().includes(needle)),
      );
    }
    if (sort) {
      const i = sort.index;
      const sign = sort.dir === "asc" ? 1 : -1;
      out = [...out].sort((a, b) => {
        const c = compare(a[i], b[i], numeric[i]);
        // NULLs stay last in either direction
        if (a[i] === null || b[i] === null) return c;
        return sign * c;
      });
    }
    return out;
  }, [rows, filter, sort, numeric]);

  const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = visible.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);

  const toggleSort = (index: number) => {
    if (onServerSort) {
      const name = columns[index].name;
      const dir: Dir | null =
        serverSort?.column !== name ? "asc" : serverSort.dir === "asc" ? "desc" : null;
      onServerSort(name, dir);
      return;
    }
    setSort((s) => (s?.index !== index ? { index, dir: "asc" } : s.dir === "asc" ? { index, dir: "desc" } : null));
    setPage(0);
  };

  const sortOf = (index: number): Dir | null => {
    if (onServerSort) return serverSort?.column === columns[index].name ? serverSort.dir : null;
    return sort?.index === index ? sort.dir : null;
  };

  const startResize = (index: number, e: ReactPointerEvent<HTMLSpanElement>) => {
    e.preventDefault();
    e.stopPropagation();
    const th = headRefs.current[index];
    const startX = e.clientX;
    const startW = th?.getBoundingClientRect().width ?? 120;
    const move = (ev: PointerEvent) => setWidths((w) => ({ ...w, [index]: Math.max(48, startW + ev.clientX - startX) }));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  const resizeByKey = (index: number, key: string) => {
    const th = headRefs.current[index];
    const w = widths[index] ?? th?.getBoundingClientRect().width ?? 120;
    if (key === "ArrowRight") setWidths((ws) => ({ ...ws, [index]: w + 16 }));
    if (key === "ArrowLeft") setWidths((ws) => ({ ...ws, [index]: Math.max(48, w - 16) }));
  };

  return (
    <div className="results-grid-wrap">
      {filterable && (
        <div className="grid-tools">
          <label className="inline-field">
            Filter rows
            <input
              type="search"
              value={filter}
              onChange={(e) => {
                setFilter(e.target.value);
                setPage(0);
              }}
              placeholder="text in any column"
            />
          </label>
          {filter.trim() && (
            <span className="small muted" role="status">
              {formatNumber(visible.length)} of {formatNumber(rows.length)} rows match
            </span>
          )}
        </div>
      )}
      <div className="table-scroll results-scroll">
        <table className="grid results-grid" style={{ tableLayout: Object.keys(widths).length ? "fixed" : undefined }}>
          <caption className="sr-only">
            {caption}, page {current + 1}
          </caption>
          <colgroup>
            {columns.map((_, i) => (
              <col key={i} style={widths[i] ? { width: widths[i] } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {columns.map((c, i) => {
                const dir = sortOf(i);
                return (
                  <th
                    key={i}
                    scope="col"
                    ref={(el) => {
                      headRefs.current[i] = el;
                    }}
                    aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}
                    className={numeric[i] ? "num" : undefined}
                  >
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => toggleSort(i)}
                      title={`Sort by ${c.name}`}
                    >
                      <span className="mono">{c.name}</span>
                      <span className="sort-mark" aria-hidden="true">
                        {dir === "asc" ? "▲" : dir === "desc" ? "▼" : ""}
                      </span>
                    </button>
                    <span className="col-type">{c.type}</span>
                    <span
                      className="col-resize"
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize column ${c.name}`}
                      tabIndex={0}
                      onPointerDown={(e) => startResize(i, e)}
                      onKeyDown={(e) => resizeByKey(i, e.key)}
                    />
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr key={r}>
                {row.map((v, i) => {
                  const isNested = v !== null && (nested[i] || typeof v === "object");
                  return (
                    <td
                      key={i}
                      className={v === null ? "null mono" : numeric[i] || typeof v === "number" ? "num mono" : "mono"}
                    >
                      {v === null ? (
                        <span className="null-mark">NULL</span>
                      ) : isNested ? (
                        <button
                          type="button"
                          className="cell-json"
                          onClick={() => setViewing({ column: columns[i].name, value: v })}
                          aria-label={`View ${columns[i].name} value`}
                          title="View the whole value"
                        >
                          {formatValue(v).slice(0, 60)}
                        </button>
                      ) : (
                        formatValue(v)
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="Result pages">
          <button type="button" className="button button-small" onClick={() => setPage(current - 1)} disabled={current === 0}>
            Previous
          </button>
          <span>
            Rows {formatNumber(current * PAGE_SIZE + 1)}–{formatNumber(Math.min(visible.length, (current + 1) * PAGE_SIZE))} of{" "}
            {formatNumber(visible.length)} · page {current + 1} of {pages}
          </span>
          <button
            type="button"
            className="button button-small"
            onClick={() => setPage(current + 1)}
            disabled={current >= pages - 1}
          >
            Next
          </button>
        </nav>
      )}
      {viewing && (
        <Modal title={`Value of ${viewing.column}`} onClose={() => setViewing(null)} wide>
          <div className="stack">
            <div className="toolbar">
              <span className="spacer" />
              <CopyButton text={prettyJson(viewing.value)} label={`value of ${viewing.column}`} />
            </div>
            <pre className="code-block json-view" aria-label="JSON value" tabIndex={0}>
              {prettyJson(viewing.value)}
            </pre>
          </div>
        </Modal>
      )}
    </div>
  );
}
