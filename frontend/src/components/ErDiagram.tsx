// The experiment's entity-relationship diagram as SVG: parents on the left, children to their right, FK edges
// drawn from each foreign-key column to the column it references.
import type { ExperimentSchema, TableSchema } from "../api/client";

const BOX_W = 230;
const HEAD_H = 30;
const ROW_H = 22;
const GAP_X = 90;
const GAP_Y = 28;
const PAD = 16;

interface Box {
  table: TableSchema;
  x: number;
  y: number;
  h: number;
}

export interface Edge {
  from: string; // child table
  fromColumn: string;
  to: string; // parent table
  toColumn: string;
}

export function foreignKeyEdges(schema: ExperimentSchema): Edge[] {
  const names = new Set(schema.tables.map((t) => t.name));
  const edges: Edge[] = [];
  for (const t of schema.tables) {
    for (const c of t.columns) {
      const fk = c.foreign_key;
      if (fk && names.has(fk.references_table)) {
        edges.push({ from: t.name, fromColumn: c.name, to: fk.references_table, toColumn: fk.references_column });
      }
    }
  }
  return edges;
}

/** Level of each table: 0 for tables with no parents, else 1 + the deepest parent (cycles are cut). */
export function tableLevels(schema: ExperimentSchema): Record<string, number> {
  const parents: Record<string, string[]> = {};
  for (const e of foreignKeyEdges(schema)) {
    if (e.from !== e.to) (parents[e.from] ??= []).push(e.to);
  }
  const level: Record<string, number> = {};
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    if (name in level) return level[name];
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const ps = parents[name] ?? [];
    const l = ps.length ? Math.max(...ps.map(visit)) + 1 : 0;
    visiting.delete(name);
    level[name] = l;
    return l;
  };
  schema.tables.forEach((t) => visit(t.name));
  return level;
}

function layout(schema: ExperimentSchema): { boxes: Record<string, Box>; width: number; height: number } {
  const levels = tableLevels(schema);
  const byLevel: TableSchema[][] = [];
  for (const t of schema.tables) (byLevel[levels[t.name]] ??= []).push(t);
  const boxes: Record<string, Box> = {};
  let height = 0;
  byLevel.forEach((tables, li) => {
    let y = PAD;
    for (const t of tables ?? []) {
      const h = HEAD_H + ROW_H * t.columns.length + 6;
      boxes[t.name] = { table: t, x: PAD + li * (BOX_W + GAP_X), y, h };
      y += h + GAP_Y;
    }
    height = Math.max(height, y - GAP_Y + PAD);
  });
  const width = PAD * 2 + byLevel.length * BOX_W + Math.max(0, byLevel.length - 1) * GAP_X;
  return { boxes, width: Math.max(width, BOX_W + PAD * 2), height: Math.max(height, 60) };
}

function rowY(box: Box, column: string): number {
  const i = Math.max(0, box.table.columns.findIndex((c) => c.name === column));
  return box.y + HEAD_H + ROW_H * i + ROW_H / 2 + 2;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function ErDiagram({ schema }: { schema: ExperimentSchema }) {
  const { boxes, width, height } = layout(schema);
  const edges = foreignKeyEdges(schema);
  const summary =
    edges.length === 0
      ? `${schema.tables.length} tables, no foreign keys`
      : edges.map((e) => `${e.from}.${e.fromColumn} references ${e.to}.${e.toColumn}`).join("; ");
  return (
    <div className="er-scroll">
      <svg
        className="er-diagram"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Entity-relationship diagram: ${summary}`}
        data-testid="er-diagram"
      >
        <defs>
          <marker id="er-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" className="er-arrowhead" />
          </marker>
        </defs>
        {edges.map((e, i) => {
          const child = boxes[e.from];
          const parent = boxes[e.to];
          const y1 = rowY(child, e.fromColumn);
          const y2 = rowY(parent, e.toColumn);
          let d: string;
          if (e.from === e.to) {
            const x = child.x + BOX_W;
            d = `M${x},${y1} C${x + 40},${y1} ${x + 40},${y2} ${x + 2},${y2}`;
          } else if (child.x > parent.x) {
            const x1 = child.x;
            const x2 = parent.x + BOX_W;
            const mid = (x1 + x2) / 2;
            d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 + 2},${y2}`;
          } else {
            const x1 = child.x + BOX_W;
            const x2 = parent.x;
            const mid = (x1 + x2) / 2;
            d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 2},${y2}`;
          }
          return (
            <path key={i} d={d} className="er-edge" markerEnd="url(#er-arrow)" data-edge={`${e.from}->${e.to}`}>
              <title>{`${e.from}.${e.fromColumn} → ${e.to}.${e.toColumn}`}</title>
            </path>
          );
        })}
        {Object.values(boxes).map((b) => (
          <g key={b.table.name} className="er-table" data-table={b.table.name}>
            <rect x={b.x} y={b.y} width={BOX_W} height={b.h} rx={6} className="er-box" />
            <rect x={b.x} y={b.y} width={BOX_W} height={HEAD_H} rx={6} className="er-head" />
            <rect x={b.x} y={b.y + HEAD_H - 6} width={BOX_W} height={6} className="er-head" />
            <text x={b.x + 10} y={b.y + 20} className="er-title">
              {clip(b.table.name, 24)}
            </text>
            {b.table.target_rows !== undefined && (
              <text x={b.x + BOX_W - 10} y={b.y + 20} className="er-rows" textAnchor="end">
                {b.table.target_rows.toLocaleString("en-US")}
              </text>
            )}
            {b.table.columns.map((c, i) => {
              const y = b.y + HEAD_H + ROW_H * i + ROW_H / 2 + 6;
              const key = c.foreign_key ? "FK" : c.is_unique ? "UQ" : "";
              return (
                <g key={c.name}>
                  <text x={b.x + 10} y={y} className={`er-key er-key-${key.toLowerCase() || "none"}`}>
                    {key}
                  </text>
                  <text x={b.x + 34} y={y} className={`er-col${c.required ? " er-required" : ""}`}>
                    {clip(c.name, 18)}
                  </text>
                  <text x={b.x + BOX_W - 10} y={y} className="er-type" textAnchor="end">
                    {clip(c.data_type, 14)}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </div>
  );
}
