// The code editor's props and types, apart from CodeMirror itself (which loads on demand: see LazyEditor).
export type EditorLanguage = "json" | "yaml" | "sql";

export interface EditorMark {
  line: number; // 1-based
  col?: number | null; // 1-based
  message: string;
  severity?: "error" | "warning";
}

export interface EditorSelection {
  from: number;
  to: number;
  /** The cursor. */
  head: number;
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: EditorLanguage;
  dialect?: string;
  label: string;
  id?: string;
  /** Ctrl/Cmd-Enter. */
  onRun?: () => void;
  /** Shift-Ctrl/Cmd-Enter. */
  onRunAll?: () => void;
  marks?: EditorMark[];
  /** Move the cursor to this 1-based line/column when it changes. */
  focusAt?: { line: number; col?: number | null; nonce: number } | null;
  tables?: Record<string, string[]>;
  placeholder?: string;
  minHeight?: string;
  describedBy?: string;
  /** Told the selection and cursor whenever they move. */
  onSelection?: (selection: EditorSelection) => void;
}
