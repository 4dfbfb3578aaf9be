// What the ER diagram draws, apart from drawing it: foreign-key edges, keys per column, levels.
import type { ColumnSchema, ExperimentSchema, TableSchema } from "../api/client";

export interface Edge {
  from: string; // child table
  fromColumn: string;
  to: string; // parent table
  toColumn: string;
}

export function foreignKeyEdges(schema: ExperimentSchema): Edge[] {
  const names = new Map(schema.tables.map((t) => [t.name.toLowerCase(), t.name]));
  const edges: Edge[] = [];
  for (const t of schema.tables) {
    for (const c of t.columns) {
      const fk = c.foreign_key;
      const parent = fk ? names.get(fk.references_table.toLowerCase()) : undefined;
      if (fk && parent) edges.push({ from: t.name, fromColumn: c.name, to: parent, toColumn: fk.references_column });
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

/** The primary key columns, as the DDL export writes them: the composite key, else the first unique required
 * column (preferring one that is not a foreign key). */
export function primaryKey(table: TableSchema): Set<string> {
  if (table.composite_keys && table.composite_keys.length > 0) return new Set(table.composite_keys[0].map((c) => c.toLowerCase()));
  const keys = table.columns.filter((c) => c.is_unique && c.required);
  const pk = keys.find((c) => !c.foreign_key) ?? keys[0];
  return new Set(pk ? [pk.name.toLowerCase()] : []);
}

/** "PK", "FK", "UQ" (or several) for a column. */
export function keyLabels(table: TableSchema, column: ColumnSchema, pk: Set<string> = primaryKey(table)): string[] {
  const out: string[] = [];
  const isPk = pk.has(column.name.toLowerCase());
  if (isPk) out.push("PK");
  if (column.foreign_key) out.push("FK");
  if (column.is_unique && !isPk) out.push("UQ");
  return out;
}

/** Tables joined to `name` by a foreign key, either way. */
export function neighbours(edges: Edge[], name: string): Set<string> {
  const out = new Set<string>([name]);
  for (const e of edges) {
    if (e.from === name) out.add(e.to);
    if (e.to === name) out.add(e.from);
  }
  return out;
}
