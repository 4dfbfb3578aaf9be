// Split SQL into statements (for "run the statement under the cursor"): semicolons outside quotes, quoted
// identifiers, comments and $$-bodies end a statement.

export interface Statement {
  text: string;
  /** Offsets in the whole text: [from, to). */
  from: number;
  to: number;
}

export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text && !/^(--[^\n]*\n?|\/\*[\s\S]*?\*\/|\s)*$/.test(text)) out.push({ text, from: start + lead, to: start + lead + text.length });
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === "`") {
      i++;
      while (i < sql.length) {
        if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === "\\" && c === "'") i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === "-" && next === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "$" && next === "$") {
      const end = sql.indexOf("$$", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ";") {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}

/** The statement the cursor is in (or just after), else the nearest one before it, else the first. */
export function statementAt(sql: string, offset: number): Statement | null {
  const all = splitStatements(sql);
  if (all.length === 0) return null;
  let best = all[0];
  for (const s of all) {
    if (s.from <= offset) best = s;
    if (offset >= s.from && offset <= s.to + 1) return s;
  }
  return best;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}
