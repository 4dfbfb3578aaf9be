// Create an experiment: from a JSON/YAML schema, or by importing CREATE TABLE statements (previewed first).
import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent } from "react";
import {
  ApiError,
  createExperiment,
  DIALECTS,
  health,
  importSql,
  type Dialect,
  type ErrorDetail,
  type ExperimentSummary,
  type ImportSqlResult,
  type Inference,
  type Warehouse,
} from "../api/client";
import { CodeEditor, type EditorMark } from "../components/LazyEditor";
import { SchemaTables } from "../components/SchemaTables";
import { Banner, detailLocation, errorText, Modal, TabPanel, Tabs, useModalClose, WarningBanners } from "../components/ui";
import { jsonErrorPosition, jsonSyntaxError, locateProblem, positionAt, type TextPosition } from "../locate";
import { InferenceList, inferenceKey, withoutInferences } from "./Inferences";

const WAREHOUSES = ["duckdb", "sqlite", "redshift", "snowflake"] as const;
/** The notes the inference list already shows. */
const INFERRED_NOTE = /^Table '[^']+': inferred \(/;

export interface CreateInitial {
  tab: "schema" | "sql";
  text: string;
  format?: "json" | "yaml";
  name?: string;
}

export interface Created {
  experiment: ExperimentSummary;
  warnings: string[];
  notes: string[];
  inferences?: Inference[];
}

interface Problem extends ErrorDetail {
  pos: TextPosition | null;
}

function guessFormat(text: string): "json" | "yaml" {
  const t = text.trimStart();
  return t === "" || t.startsWith("{") || t.startsWith("[") ? "json" : "yaml";
}

export function CreateExperimentDialog({
  initial,
  onClose,
  onCreated,
}: {
  initial?: CreateInitial;
  onClose: () => void;
  onCreated: (created: Created) => void;
}) {
  const [tab, setTab] = useState<"schema" | "sql">(initial?.tab ?? "schema");
  const [dirty, setDirty] = useState({ schema: false, sql: false });
  return (
    <Modal title="New experiment" onClose={onClose} wide dirty={dirty.schema || dirty.sql}>
      <Tabs
        label="How to describe the experiment"
        idPrefix="create"
        tabs={[
          { id: "schema", label: "Schema (JSON/YAML)" },
          { id: "sql", label: "SQL import" },
        ]}
        active={tab}
        onChange={(id) => setTab(id as "schema" | "sql")}
      />
      {/* Both panels stay mounted so switching tabs keeps what was typed. */}
      <div hidden={tab !== "schema"}>
        <TabPanel idPrefix="create" id="schema">
          <SchemaTab
            initial={initial?.tab === "schema" ? initial : undefined}
            onCreated={onCreated}
            onDirty={(d) => setDirty((x) => (x.schema === d ? x : { ...x, schema: d }))}
          />
        </TabPanel>
      </div>
      <div hidden={tab !== "sql"}>
        <TabPanel idPrefix="create" id="sql">
          <SqlTab
            active={tab === "sql"}
            initial={initial?.tab === "sql" ? initial : undefined}
            onCreated={onCreated}
            onDirty={(d) => setDirty((x) => (x.sql === d ? x : { ...x, sql: d }))}
          />
        </TabPanel>
      </div>
    </Modal>
  );
}

function ProblemList({
  problems,
  onPick,
  id,
}: {
  problems: Problem[];
  onPick: (p: Problem) => void;
  id: string;
}) {
  if (problems.length === 0) return null;
  return (
    <ul className="problems" id={id} aria-label="Problems">
      {problems.map((p, i) => (
        <li key={i}>
          {p.pos ? (
            <button type="button" className="link-button" onClick={() => onPick(p)}>
              {detailLocation(p) || `line ${p.pos.line}, column ${p.pos.col}`}
            </button>
          ) : (
            detailLocation(p) && <span className="error-loc">{detailLocation(p)}</span>
          )}
          <span>{p.message}</span>
        </li>
      ))}
    </ul>
  );
}

function useEditorFocus() {
  const [focusAt, setFocusAt] = useState<{ line: number; col?: number | null; nonce: number } | null>(null);
  const nonce = useRef(0);
  const focus = (pos: TextPosition | null) => {
    if (pos) setFocusAt({ line: pos.line, col: pos.col, nonce: ++nonce.current });
  };
  return { focusAt, focus };
}

function marksOf(problems: Problem[]): EditorMark[] {
  return problems.filter((p) => p.pos).map((p) => ({ line: p.pos!.line, col: p.pos!.col, message: p.message }));
}

function SchemaTab({
  initial,
  onCreated,
  onDirty,
}: {
  initial?: CreateInitial;
  onCreated: (c: Created) => void;
  onDirty: (dirty: boolean) => void;
}) {
  const onCancel = useModalClose();
  const [text, setText] = useState(initial?.text ?? "");
  useEffect(() => onDirty(text.trim() !== "" && text !== (initial?.text ?? "")), [text, initial, onDirty]);
  const [format, setFormat] = useState<"json" | "yaml">(initial?.format ?? guessFormat(initial?.text ?? ""));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { focusAt, focus } = useEditorFocus();
  const problemsId = useId();
  const editorId = useId();

  const submit = async () => {
    setError(null);
    setProblems([]);
    let data: unknown;
    const { parse: parseYaml, YAMLParseError } = await import("yaml");
    try {
      // Parsed here only to point at syntax errors; the server reads the text itself (YAML's draft form included).
      data = format === "json" ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      let pos: TextPosition | null = null;
      if (err instanceof YAMLParseError && err.linePos) pos = { line: err.linePos[0].line, col: err.linePos[0].col };
      else if (format === "json") {
        const found = jsonSyntaxError(text);
        if (found) {
          const at = positionAt(text, found.offset);
          setError("The JSON does not parse.");
          setProblems([{ message: found.message, line: at.line, col: at.col, pos: at }]);
          focus(at);
          return;
        }
        pos = jsonErrorPosition(text, message);
      }
      setError(`The ${format.toUpperCase()} does not parse.`);
      setProblems([{ message, line: pos?.line, col: pos?.col, pos }]);
      focus(pos);
      return;
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      setError("A schema is an object with a name and a list of tables.");
      return;
    }
    setBusy(true);
    try {
      const experiment = await createExperiment(text, format);
      onCreated({ experiment, warnings: experiment.warnings ?? [], notes: [] });
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError) {
        const ps = err.details.map((d) => ({ ...d, pos: locateProblem(text, d) }));
        setProblems(ps);
        if (ps[0]?.pos) focus(ps[0].pos);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset className="inline-radios">
        <legend>Format</legend>
        {(["json", "yaml"] as const).map((f) => (
          <label key={f}>
            <input type="radio" name="schema-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            {f.toUpperCase()}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={editorId} onClick={() => document.getElementById(editorId)?.focus()}>
          Schema
        </label>
        <CodeEditor
          id={editorId}
          value={text}
          onChange={(v) => {
            setText(v);
            if (problems.length) setProblems([]);
          }}
          language={format}
          label="Schema"
          marks={marksOf(problems)}
          focusAt={focusAt}
          onRun={() => void submit()}
          placeholder='{"name": "my_experiment", "tables": [{"name": "t", "columns": [{"name": "id", "data_type": "INT"}]}]}'
          minHeight="16rem"
          describedBy={problems.length ? problemsId : undefined}
        />
        <p className="hint">
          Tables with columns (<code>data_type</code>, <code>is_unique</code>, <code>required</code>,{" "}
          <code>faker_rule</code>, <code>foreign_key</code>, …). Ctrl/⌘-Enter creates.
        </p>
      </div>
      {error && (
        <Banner kind="error" title="Not created:">
          {error}
        </Banner>
      )}
      <ProblemList problems={problems} onPick={(p) => focus(p.pos)} id={problemsId} />
      <div className="actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy || !text.trim()}>
          {busy ? "Creating…" : "Create experiment"}
        </button>
      </div>
    </form>
  );
}

function SqlTab({
  active,
  initial,
  onCreated,
  onDirty,
}: {
  active: boolean;
  initial?: CreateInitial;
  onCreated: (c: Created) => void;
  onDirty: (dirty: boolean) => void;
}) {
  const onCancel = useModalClose();
  const [sql, setSql] = useState(initial?.text ?? "");
  const [dialect, setDialect] = useState<Dialect>("redshift");
  const [name, setName] = useState(initial?.name ?? "");
  const [target, setTarget] = useState("");
  const [replace, setReplace] = useState(false);
  const [dropped, setDropped] = useState<Set<string>>(new Set());
  const [available, setAvailable] = useState<Record<string, boolean> | null>(null);
  useEffect(() => onDirty(sql.trim() !== "" && sql !== (initial?.text ?? "")), [sql, initial, onDirty]);
  useEffect(() => {
    if (!active || available !== null) return;
    health().then(
      (h) => setAvailable(Object.fromEntries(Object.entries(h.backends ?? {}).map(([k, v]) => [k, v.ok]))),
      () => setAvailable({}),
    );
  }, [active, available]);
  const [preview, setPreview] = useState<ImportSqlResult | null>(null);
  const [previewOf, setPreviewOf] = useState<string>("");
  const [rows, setRows] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { focusAt, focus } = useEditorFocus();
  const ids = { file: useId(), dialect: useId(), name: useId(), editor: useId(), problems: useId(), target: useId() };

  const key = `${dialect}\u0000${name}\u0000${target}\u0000${sql}`;
  const fresh = preview !== null && previewOf === key;

  const rowOverrides = useMemo(() => {
    const out: Record<string, number> = {};
    for (const [t, v] of Object.entries(rows)) if (v.trim() !== "" && Number.isFinite(Number(v))) out[t] = Number(v);
    return out;
  }, [rows]);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setSql(await file.text());
    if (!name) setName(file.name.replace(/\.[^.]+$/, "").replace(/[^A-Za-z0-9_]/g, "_"));
    setPreview(null);
  };

  const run = async (dryRun: boolean) => {
    setError(null);
    setProblems([]);
    setBusy(true);
    try {
      if (dryRun) {
        const result = await importSql({
          sql,
          dialect,
          name: name.trim() || undefined,
          dry_run: true,
          ...(target ? { target_warehouse: target as Warehouse } : {}),
        });
        setPreview(result);
        setPreviewOf(key);
        setDropped(new Set());
      } else if (preview) {
        // Create exactly what was previewed, less the dropped inferences, with the row counts typed in.
        const inferences = preview.inferences ?? [];
        const schema = withoutInferences(preview.schema, inferences, dropped);
        for (const t of schema.tables) if (t.name in rowOverrides) t.target_rows = rowOverrides[t.name];
        const experiment = await createExperiment(JSON.stringify(schema), "json", {
          replace,
          targetWarehouse: target || undefined,
        });
        onCreated({
          experiment,
          warnings: preview.warnings,
          notes: preview.notes.filter((n) => !(inferences.length && INFERRED_NOTE.test(n))),
          inferences: inferences.filter((i) => !dropped.has(inferenceKey(i))),
        });
      }
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError) {
        const ps = err.details.map((d) => ({ ...d, pos: locateProblem(sql, d) }));
        setProblems(ps);
        if (ps[0]?.pos) focus(ps[0].pos);
      }
      if (dryRun) setPreview(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void run(!fresh);
      }}
    >
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.file}>SQL file</label>
          <input id={ids.file} type="file" accept=".sql,.ddl,.txt,text/plain,application/sql" onChange={onFile} />
        </div>
        <div className="field">
          <label htmlFor={ids.dialect}>Dialect</label>
          <select id={ids.dialect} value={dialect} onChange={(e) => setDialect(e.target.value as Dialect)}>
            {DIALECTS.map((d) => (
              <option key={d} value={d}>
                {d === "redshift" ? "Redshift" : "Snowflake"}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.target}>Warehouse</label>
          <select id={ids.target} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">default (from settings)</option>
            {WAREHOUSES.map((w) => (
              <option key={w} value={w} disabled={available?.[w] === false}>
                {w}
                {available?.[w] === false ? " (unavailable)" : ""}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Experiment name</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="imported_experiment"
            pattern="[A-Za-z_][A-Za-z0-9_]*"
            title="letters, digits and underscores, starting with a letter or underscore"
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.editor} onClick={() => document.getElementById(ids.editor)?.focus()}>
          CREATE TABLE statements
        </label>
        <CodeEditor
          id={ids.editor}
          value={sql}
          onChange={(v) => {
            setSql(v);
            if (problems.length) setProblems([]);
          }}
          language="sql"
          dialect={dialect}
          label="CREATE TABLE statements"
          marks={marksOf(problems)}
          focusAt={focusAt}
          onRun={() => void run(!fresh)}
          placeholder="CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL);"
          minHeight="12rem"
          describedBy={problems.length ? ids.problems : undefined}
        />
        <p className="hint">Paste DDL or pick a file, preview what dw-sim makes of it, then create. Ctrl/⌘-Enter previews.</p>
      </div>
      {error && (
        <Banner kind="error" title="Import failed:">
          {error}
        </Banner>
      )}
      <ProblemList problems={problems} onPick={(p) => focus(p.pos)} id={ids.problems} />
      {preview && (
        <section className="preview" aria-label="Import preview">
          <h3>
            Preview: {preview.schema.name}{" "}
            <span className="muted small">
              {preview.schema.tables.length} {preview.schema.tables.length === 1 ? "table" : "tables"}
              {fresh ? "" : " · out of date, preview again"}
            </span>
          </h3>
          {preview.warnings.length > 0 && <WarningBanners warnings={preview.warnings} />}
          {(preview.inferences ?? []).length > 0 && (
            <section aria-label="Inferred settings" className="stack-tight">
              <h4>
                Inferred settings{" "}
                <span className="small muted">
                  ({(preview.inferences ?? []).length - dropped.size} kept; untick one to drop it)
                </span>
              </h4>
              <InferenceList
                inferences={preview.inferences ?? []}
                dropped={dropped}
                onToggle={(k) =>
                  setDropped((d) => {
                    const next = new Set(d);
                    if (next.has(k)) next.delete(k);
                    else next.add(k);
                    return next;
                  })
                }
              />
            </section>
          )}
          {preview.notes.length > 0 && (
            <ul className="notes small muted">
              {preview.notes
                .filter((n) => !((preview.inferences ?? []).length && INFERRED_NOTE.test(n)))
                .map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
            </ul>
          )}
          <SchemaTables
            tables={preview.schema.tables}
            rowInputs={{ values: rows, onChange: (t, v) => setRows({ ...rows, [t]: v }) }}
          />
        </section>
      )}
      <div className="actions">
        <label className="inline-field replace-field">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
          Replace an existing experiment of this name
        </label>
        <span className="spacer" />
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button" disabled={busy || !sql.trim()} onClick={() => void run(true)}>
          {busy && !fresh ? "Previewing…" : "Preview"}
        </button>
        <button type="button" className="button button-primary" disabled={busy || !fresh} onClick={() => void run(false)}>
          {busy && fresh ? "Importing…" : "Create experiment"}
        </button>
      </div>
    </form>
  );
}
