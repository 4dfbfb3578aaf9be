// The experiment's entity-relationship diagram: laid out by dagre (parents left of their children), drawn as SVG,
// with zoom, pan, fit, search, a table's neighbours highlighted, tables dragged, and export as SVG or PNG.
// Loaded on demand (it is not in the main bundle).
import dagre from "@dagrejs/dagre";
import { memo, useCallback, useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import type { ExperimentSchema, TableSchema } from "../api/client";
import { foreignKeyEdges, keyLabels, neighbours, primaryKey, type Edge } from "./erModel";

export { foreignKeyEdges, tableLevels } from "./erModel";

const BOX_W = 250;
const HEAD_H = 30;
const ROW_H = 22;
const PAD = 24;
const MIN_K = 0.01;
const MAX_K = 3;

interface Point {
  x: number;
  y: number;
}

interface View {
  k: number;
  x: number;
  y: number;
}

function boxHeight(t: TableSchema): number {
  return HEAD_H + ROW_H * t.columns.length + 6;
}

/** dagre's layout: the top-left corner of each table. */
export function layoutTables(schema: ExperimentSchema): Record<string, Point> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 90, marginx: PAD, marginy: PAD });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of schema.tables) g.setNode(t.name, { width: BOX_W, height: boxHeight(t) });
  foreignKeyEdges(schema).forEach((e, i) => {
    if (e.from !== e.to) g.setEdge(e.to, e.from, {}, `fk${i}`);
  });
  dagre.layout(g);
  const out: Record<string, Point> = {};
  for (const t of schema.tables) {
    const n = g.node(t.name) as { x: number; y: number; width: number; height: number };
    out[t.name] = { x: n.x - n.width / 2, y: n.y - n.height / 2 };
  }
  return out;
}

function bounds(schema: ExperimentSchema, pos: Record<string, Point>) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const t of schema.tables) {
    const p = pos[t.name];
    if (!p) continue;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + BOX_W);
    maxY = Math.max(maxY, p.y + boxHeight(t));
  }
  if (!Number.isFinite(minX)) return { x: 0, y: 0, w: 100, h: 100 };
  return { x: minX - PAD, y: minY - PAD, w: maxX - minX + 2 * PAD, h: maxY - minY + 2 * PAD };
}

function rowY(table: TableSchema, p: Point, column: string): number {
  const i = Math.max(
    0,
    table.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase()),
  );
  return p.y + HEAD_H + ROW_H * i + ROW_H / 2 + 2;
}

function edgePath(e: Edge, tables: Map<string, TableSchema>, pos: Record<string, Point>): string | null {
  const child = tables.get(e.from);
  const parent = tables.get(e.to);
  const a = pos[e.from];
  const b = pos[e.to];
  if (!child || !parent || !a || !b) return null;
  const y1 = rowY(child, a, e.fromColumn);
  const y2 = rowY(parent, b, e.toColumn);
  if (e.from === e.to) {
    const x = a.x + BOX_W;
    return `M${x},${y1} C${x + 40},${y1} ${x + 40},${y2} ${x + 2},${y2}`;
  }
  const childLeft = a.x >= b.x + BOX_W / 2;
  const x1 = childLeft ? a.x : a.x + BOX_W;
  const x2 = childLeft ? b.x + BOX_W : b.x;
  const bend = Math.max(40, Math.abs(x1 - x2) / 2);
  const c1 = childLeft ? x1 - bend : x1 + bend;
  const c2 = childLeft ? x2 + bend : x2 - bend;
  return `M${x1},${y1} C${c1},${y1} ${c2},${y2} ${x2 + (childLeft ? 2 : -2)},${y2}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// The diagram's look, inside the SVG itself so an exported file looks the same.
const SVG_STYLE = `
.er-box{fill:#fff;stroke:#94a3b8;stroke-width:1}
.er-head{fill:#1e3a8a}
.er-title{fill:#fff;font:600 13px system-ui,sans-serif}
.er-rows{fill:#c7d2fe;font:11px system-ui,sans-serif}
.er-col{fill:#0f172a;font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.er-required{font-weight:600}
.er-type{fill:#64748b;font:11px ui-monospace,SFMono-Regular,Menlo,monospace}
.er-key{font:700 9.5px system-ui,sans-serif;fill:#94a3b8}
.er-key-pk{fill:#b45309}.er-key-fk{fill:#2563eb}.er-key-uq{fill:#047857}
.er-edge{fill:none;stroke:#64748b;stroke-width:1.4}
.er-arrowhead{fill:#64748b}
.er-dim{opacity:.18}
.er-selected .er-box{stroke:#f59e0b;stroke-width:3}
.er-match .er-box{stroke:#f59e0b;stroke-width:2;stroke-dasharray:4 2}
.er-edge-hot{stroke:#f59e0b;stroke-width:2.4}
`;

const TableBox = memo(function TableBox({
  table,
  p,
  state,
  onPointerDown,
  onSelect,
}: {
  table: TableSchema;
  p: Point;
  state: "normal" | "dim" | "selected" | "match";
  onPointerDown: (name: string, e: ReactPointerEvent<SVGGElement>) => void;
  onSelect: (name: string) => void;
}) {
  const h = boxHeight(table);
  const pk = primaryKey(table);
  const cls = state === "dim" ? " er-dim" : state === "selected" ? " er-selected" : state === "match" ? " er-match" : "";
  return (
    <g
      className={`er-table${cls}`}
      data-table={table.name}
      transform={`translate(${p.x},${p.y})`}
      onPointerDown={(e) => onPointerDown(table.name, e)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onSelect(table.name);
        }
      }}
      tabIndex={0}
      role="button"
      aria-label={`Table ${table.name}, ${table.columns.length} columns`}
      aria-pressed={state === "selected"}
    >
      <rect width={BOX_W} height={h} rx={6} className="er-box" />
      <rect width={BOX_W} height={HEAD_H} rx={6} className="er-head" />
      <rect y={HEAD_H - 6} width={BOX_W} height={6} className="er-head" />
      <text x={10} y={20} className="er-title">
        {clip(table.name, 26)}
      </text>
      {table.target_rows !== undefined && (
        <text x={BOX_W - 10} y={20} className="er-rows" textAnchor="end">
          {table.target_rows.toLocaleString("en-US")}
        </text>
      )}
      {table.columns.map((c, i) => {
        const y = HEAD_H + ROW_H * i + ROW_H / 2 + 6;
        const keys = keyLabels(table, c, pk);
        return (
          <g key={c.name} data-column={c.name} data-keys={keys.join(" ")}>
            {keys.slice(0, 2).map((k, j) => (
              <text key={k} x={8 + j * 19} y={y} className={`er-key er-key-${k.toLowerCase()}`}>
                {k}
              </text>
            ))}
            <text x={48} y={y} className={`er-col${c.required ? " er-required" : ""}`}>
              {clip(c.name, 19)}
            </text>
            <text x={BOX_W - 10} y={y} className="er-type" textAnchor="end">
              {clip(c.data_type, 14)}
            </text>
          </g>
        );
      })}
    </g>
  );
});

function downloadBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function ErDiagram({
  schema,
  selected,
  onSelect,
}: {
  schema: ExperimentSchema;
  /** The highlighted table (kept in the URL by the page). */
  selected?: string | null;
  onSelect?: (table: string | null) => void;
}) {
  const tables = useMemo(() => new Map(schema.tables.map((t) => [t.name, t])), [schema]);
  const edges = useMemo(() => foreignKeyEdges(schema), [schema]);
  const initial = useMemo(() => layoutTables(schema), [schema]);
  const [pos, setPos] = useState<Record<string, Point>>(initial);
  const [view, setView] = useState<View>({ k: 1, x: 0, y: 0 });
  const [search, setSearch] = useState("");
  const [localSelected, setLocalSelected] = useState<string | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ kind: "pan" | "move"; name?: string; start: Point; origin: Point; moved: boolean } | null>(null);
  const current = selected !== undefined ? selected : localSelected;
  const select = useCallback(
    (name: string | null) => {
      if (onSelect) onSelect(name);
      else setLocalSelected(name);
    },
    [onSelect],
  );

  useEffect(() => setPos(initial), [initial]);

  const size = () => {
    const r = host.current?.getBoundingClientRect();
    return { w: r?.width || 800, h: r?.height || 500 };
  };

  const fit = useCallback(() => {
    const b = bounds(schema, pos);
    const { w, h } = size();
    const k = Math.max(MIN_K, Math.min(1, w / b.w, h / b.h));
    setView({ k, x: (w - b.w * k) / 2 - b.x * k, y: Math.max(0, (h - b.h * k) / 2) - b.y * k });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [schema, pos]);

  // Fit once laid out (and when the schema changes).
  useEffect(() => {
    fit();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initial]);

  const zoomAt = (factor: number, at?: Point) => {
    setView((v) => {
      const { w, h } = size();
      const c = at ?? { x: w / 2, y: h / 2 };
      const k = Math.min(MAX_K, Math.max(MIN_K, v.k * factor));
      const f = k / v.k;
      return { k, x: c.x - (c.x - v.x) * f, y: c.y - (c.y - v.y) * f };
    });
  };

  const centerOn = (name: string) => {
    const t = tables.get(name);
    const p = pos[name];
    if (!t || !p) return;
    const { w, h } = size();
    setView((v) => {
      const k = Math.max(v.k, 0.8);
      return { k, x: w / 2 - (p.x + BOX_W / 2) * k, y: h / 2 - (p.y + boxHeight(t) / 2) * k };
    });
  };

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), { x: e.clientX - r.left, y: e.clientY - r.top });
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onTableDown = useCallback(
    (name: string, e: ReactPointerEvent<SVGGElement>) => {
      if (e.button !== 0) return;
      e.stopPropagation();
      (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
      drag.current = { kind: "move", name, start: { x: e.clientX, y: e.clientY }, origin: pos[name], moved: false };
    },
    [pos],
  );

  const onDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    drag.current = { kind: "pan", start: { x: e.clientX, y: e.clientY }, origin: { x: view.x, y: view.y }, moved: false };
  };

  const onMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.start.x;
    const dy = e.clientY - d.start.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) d.moved = true;
    if (!d.moved) return;
    if (d.kind === "pan") setView((v) => ({ ...v, x: d.origin.x + dx, y: d.origin.y + dy }));
    else if (d.name) {
      const name = d.name;
      setPos((p) => ({ ...p, [name]: { x: d.origin.x + dx / view.k, y: d.origin.y + dy / view.k } }));
    }
  };

  const onUp = () => {
    const d = drag.current;
    drag.current = null;
    if (d && !d.moved) {
      if (d.kind === "move" && d.name) select(current === d.name ? null : d.name);
      else if (d.kind === "pan") select(null);
    }
  };

  const hot = current ? neighbours(edges, current) : null;
  const needle = search.trim().toLowerCase();
  const matches = needle ? schema.tables.filter((t) => t.name.toLowerCase().includes(needle)).map((t) => t.name) : [];

  const runSearch = () => {
    const exact = schema.tables.find((t) => t.name.toLowerCase() === needle)?.name;
    const found = exact ?? matches[0];
    if (found) {
      select(found);
      centerOn(found);
    }
  };

  const exportSvgText = (): string => {
    const b = bounds(schema, pos);
    const svg = svgRef.current;
    if (!svg) return "";
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    clone.setAttribute("viewBox", `${b.x} ${b.y} ${b.w} ${b.h}`);
    clone.setAttribute("width", String(Math.ceil(b.w)));
    clone.setAttribute("height", String(Math.ceil(b.h)));
    clone.removeAttribute("class");
    clone.querySelector("[data-viewport]")?.removeAttribute("transform");
    clone.querySelectorAll(".er-dim").forEach((el) => el.classList.remove("er-dim"));
    return new XMLSerializer().serializeToString(clone);
  };

  const exportSvg = () =>
    downloadBlob(new Blob([exportSvgText()], { type: "image/svg+xml" }), `${schema.name}-er-diagram.svg`);

  const exportPng = () => {
    const b = bounds(schema, pos);
    const scale = Math.min(2, 16000 / Math.max(b.w, b.h));
    const img = new Image();
    const url = URL.createObjectURL(new Blob([exportSvgText()], { type: "image/svg+xml" }));
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(b.w * scale);
      canvas.height = Math.ceil(b.h * scale);
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.fillStyle = "#f8fafc";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => blob && downloadBlob(blob, `${schema.name}-er-diagram.png`), "image/png");
    };
    img.src = url;
  };

  const shownEdges = edges.slice(0, 40).map((e) => `${e.from}.${e.fromColumn} references ${e.to}.${e.toColumn}`);
  const summary =
    edges.length === 0
      ? `${schema.tables.length} tables, no foreign keys`
      : `${schema.tables.length} tables: ${shownEdges.join("; ")}${edges.length > 40 ? `; and ${edges.length - 40} more` : ""}`;

  return (
    <div className="er-wrap stack-tight">
      <div className="toolbar er-toolbar" role="toolbar" aria-label="Diagram controls">
        <form
          className="inline-field"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            runSearch();
          }}
        >
          <label htmlFor="er-search">Find table</label>
          <input
            id="er-search"
            type="search"
            list="er-tables"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="name…"
          />
          <datalist id="er-tables">
            {schema.tables.map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
          {needle && (
            <span className="small muted" role="status">
              {matches.length} {matches.length === 1 ? "match" : "matches"}
            </span>
          )}
        </form>
        <span className="spacer" />
        <button type="button" className="button button-small" onClick={() => zoomAt(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="button button-small" onClick={() => zoomAt(0.8)} aria-label="Zoom out">
          −
        </button>
        <span className="small muted er-zoom" aria-label="Zoom level">
          {Math.round(view.k * 100)}%
        </span>
        <button type="button" className="button button-small" onClick={fit}>
          Fit
        </button>
        <button type="button" className="button button-small" onClick={() => setPos(initial)}>
          Reset layout
        </button>
        <button type="button" className="button button-small" onClick={exportSvg}>
          Export SVG
        </button>
        <button type="button" className="button button-small" onClick={exportPng}>
          Export PNG
        </button>
      </div>
      {current && hot && (
        <p className="small muted" role="status">
          <strong className="mono">{current}</strong> and its {hot.size - 1}{" "}
          {hot.size - 1 === 1 ? "neighbour" : "neighbours"}: {[...hot].filter((n) => n !== current).join(", ") || "none"}.{" "}
          <button type="button" className="link-button" onClick={() => select(null)}>
            Clear
          </button>
        </p>
      )}
      <div
        className="er-canvas"
        ref={host}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerLeave={() => (drag.current = null)}
        data-zoom={view.k.toFixed(3)}
      >
        <svg
          ref={svgRef}
          className="er-diagram"
          width="100%"
          height="100%"
          role="img"
          aria-label={`Entity-relationship diagram: ${summary}`}
          data-testid="er-diagram"
        >
          <style>{SVG_STYLE}</style>
          <defs>
            <marker id="er-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" className="er-arrowhead" />
            </marker>
          </defs>
          <g data-viewport transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
            {edges.map((e, i) => {
              const d = edgePath(e, tables, pos);
              if (!d) return null;
              const isHot = hot !== null && (e.from === current || e.to === current);
              const dim = hot !== null && !isHot;
              return (
                <path
                  key={i}
                  d={d}
                  className={`er-edge${isHot ? " er-edge-hot" : ""}${dim ? " er-dim" : ""}`}
                  markerEnd="url(#er-arrow)"
                  data-edge={`${e.from}->${e.to}`}
                >
                  <title>{`${e.from}.${e.fromColumn} → ${e.to}.${e.toColumn}`}</title>
                </path>
              );
            })}
            {schema.tables.map((t) => (
              <TableBox
                key={t.name}
                table={t}
                p={pos[t.name] ?? { x: 0, y: 0 }}
                state={
                  current === t.name
                    ? "selected"
                    : matches.includes(t.name) && !hot
                      ? "match"
                      : hot && !hot.has(t.name)
                        ? "dim"
                        : "normal"
                }
                onPointerDown={onTableDown}
                onSelect={(name) => select(current === name ? null : name)}
              />
            ))}
          </g>
        </svg>
      </div>
      <p className="hint">
        Drag the background to pan, a table to move it; the mouse wheel zooms. Click a table to highlight its neighbours.
      </p>
    </div>
  );
}

export default ErDiagram;
