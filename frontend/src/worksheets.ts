// Worksheets (query tabs) and query history, per experiment, kept in this browser's local storage.

export interface Worksheet {
  id: string;
  title: string;
  sql: string;
}

export interface Worksheets {
  active: string;
  sheets: Worksheet[];
}

export interface HistoryEntry {
  sql: string;
  at: string;
  ok: boolean;
  rows?: number | null;
  elapsed_s?: number | null;
  message?: string;
}

const HISTORY_MAX = 50;
const sheetsKey = (name: string) => `dw-sim:worksheets:${name}`;
const historyKey = (name: string) => `dw-sim:history:${name}`;

function read<T>(key: string): T | null {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: worksheets then last for this page only */
  }
}

export function newSheetId(): string {
  return Math.random().toString(36).slice(2, 10);
}

export function loadWorksheets(name: string, initialSql: () => string): Worksheets {
  const stored = read<Worksheets>(sheetsKey(name));
  if (stored && Array.isArray(stored.sheets) && stored.sheets.length > 0) {
    const sheets = stored.sheets.filter((s) => typeof s.id === "string" && typeof s.sql === "string");
    if (sheets.length > 0) {
      const active = sheets.some((s) => s.id === stored.active) ? stored.active : sheets[0].id;
      return { active, sheets };
    }
  }
  const first: Worksheet = { id: newSheetId(), title: "Worksheet 1", sql: initialSql() };
  return { active: first.id, sheets: [first] };
}

export function saveWorksheets(name: string, value: Worksheets): void {
  write(sheetsKey(name), value);
}

export function loadHistory(name: string): HistoryEntry[] {
  const list = read<HistoryEntry[]>(historyKey(name));
  return Array.isArray(list) ? list.filter((h) => typeof h.sql === "string") : [];
}

export function addHistory(name: string, entry: HistoryEntry): HistoryEntry[] {
  const list = [entry, ...loadHistory(name).filter((h) => h.sql !== entry.sql)].slice(0, HISTORY_MAX);
  write(historyKey(name), list);
  return list;
}

export function clearHistory(name: string): void {
  write(historyKey(name), []);
}
