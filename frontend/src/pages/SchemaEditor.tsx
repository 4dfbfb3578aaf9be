// Edit an experiment's schema: as JSON or YAML text with inline validation (each problem located at its table ›
// column › field), or in a form for the common fields with a live preview of the values. Saving makes a new
// version, which the next generation run uses. Loaded on demand.
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from "yaml";
import {
  ApiError,
  checkSchema,
  getSchemaVersion,
  listSchemaVersions,
  previewColumn,
  saveSchema,
  type ColumnProfile,
  type ColumnSchema,
  type ErrorDetail,
  type ExperimentSchema,
  type SchemaSaved,
  type TableSchema,
} from "../api/client";
import { Histogram, isBuckets, TopValues } from "../components/Charts";
import { CodeEditor, type EditorMark } from "../components/LazyEditor";
import { Banner, detailLocation, errorText, Skeleton } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { formatDate, formatPercent } from "../format";
import { jsonSyntaxError, locateProblem, positionAt, type TextPosition } from "../locate";

type Mode = "form" | "json" | "yaml";
type Format = "json" | "yaml";

interface Problem extends ErrorDetail {
  pos: TextPosition | null;
}

export const DISTRIBUTIONS: Record<string, string[]> = {
  normal: ["mean", "stddev"],
  uniform: ["low", "high"],
  lognormal: ["mean", "sigma"],
  exponential: ["scale", "offset"],
  beta: ["alpha", "beta"],
  poisson: ["lam"],
  zipf: ["a", "n"],
  categorical: ["values", "weights"],
};
const CARDINALITIES = ["uniform", "poisson", "zipf", "categorical"];
/** What a newly picked distribution starts with, so the schema stays valid. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  normal: { mean: 0, stddev: 1 },
  uniform: {},
  lognormal: { mean: 0, sigma: 1 },
  exponential: { scale: 1 },
  beta: { alpha: 2, beta: 2 },
  poisson: { lam: 2 },
  zipf: { a: 2 },
  categorical: { values: ["a", "b", "c"] },
};
const FAKER_RULES = [
  "person.name",
  "person.first_name",
  "person.last_name",
  "internet.email",
  "internet.url",
  "phone_number.phone_number",
  "address.city",
  "address.country",
  "address.street_address",
  "address.postcode",
  "company.company",
  "lorem.sentence",
  "misc.uuid4",
  "date_time.date",
];

function serialise(schema: unknown, format: Format): string {
  return format === "json" ? `${JSON.stringify(schema, null, 2)}\n` : stringifyYaml(schema);
}

function parse(text: string, format: Format): { data?: ExperimentSchema; problem?: Problem } {
  try {
    const data = format === "json" ? JSON.parse(text) : parseYaml(text);
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      return { problem: { message: "a schema is an object with a name and a list of tables", pos: null } };
    }
    return { data: data as ExperimentSchema };
  } catch (err) {
    if (err instanceof YAMLParseError && err.linePos) {
      const pos = { line: err.linePos[0].line, col: err.linePos[0].col };
      return { problem: { message: err.message.split("\n")[0], line: pos.line, col: pos.col, pos } };
    }
    const found = format === "json" ? jsonSyntaxError(text) : null;
    const pos = found ? positionAt(text, found.offset) : null;
    return { problem: { message: found?.message ?? String(err), line: pos?.line, col: pos?.col, pos } };
  }
}

function download(text: string, filename: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function SchemaEditor({
  name,
  schema,
  focus,
  onSaved,
  onDirty,
}: {
  name: string;
  schema: ExperimentSchema;
  /** "table.column.field" to open at (an import inference's "edit" link). */
  focus?: string | null;
  onSaved: (saved: SchemaSaved) => void;
  onDirty?: (dirty: boolean) => void;
}) {
  const [format, setFormat] = useState<Format>("json");
  const [mode, setMode] = useState<Mode>(focus ? "form" : "json");
  const [base, setBase] = useState(() => serialise(schema, "json"));
  const [text, setText] = useState(base);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [checking, setChecking] = useState(false);
  const [checkedOk, setCheckedOk] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState<SchemaSaved | null>(null);
  const [focusAt, setFocusAt] = useState<{ line: number; col?: number | null; nonce: number } | null>(null);
  const [versionsTick, setVersionsTick] = useState(0);
  const versions = useAsync(() => listSchemaVersions(name), [name, versionsTick]);
  const nonce = useRef(0);
  const editorId = useId();
  const problemsId = useId();
  const dirty = text !== base;

  useEffect(() => onDirty?.(dirty), [dirty, onDirty]);

  // Inline validation: parse at once, ask the server (the real validator) after a pause in typing.
  useEffect(() => {
    setCheckedOk(null);
    const parsed = parse(text, format);
    if (parsed.problem) {
      setProblems([parsed.problem]);
      setCheckedOk(null);
      return;
    }
    setProblems([]);
    const t = setTimeout(() => {
      setChecking(true);
      checkSchema(name, text, format).then(
        (r) => {
          setChecking(false);
          if (r.valid) {
            setProblems([]);
            setCheckedOk(`${r.tables} tables, ${r.columns} columns`);
          } else {
            setCheckedOk(null);
            const found = r.details.length ? r.details : [{ message: r.message ?? "invalid schema" }];
            setProblems(found.map((d) => ({ ...d, pos: locateProblem(text, d) })));
          }
        },
        (err: unknown) => {
          setChecking(false);
          setCheckedOk(null);
          if (err instanceof ApiError && err.details.length > 0) {
            setProblems(err.details.map((d) => ({ ...d, pos: locateProblem(text, d) })));
          } else setProblems([{ message: errorText(err), pos: null }]);
        },
      );
    }, 500);
    return () => clearTimeout(t);
  }, [text, format, name]);

  const data = useMemo(() => parse(text, format).data ?? null, [text, format]);

  const switchFormat = (next: Format) => {
    if (next === format) return;
    const parsed = parse(text, format);
    if (!parsed.data) return; // fix the syntax first
    const converted = serialise(parsed.data, next);
    const wasClean = text === base;
    setFormat(next);
    setText(converted);
    if (wasClean) setBase(converted);
    else setBase(serialise(parse(base, format).data ?? schema, next));
  };

  const pickMode = (next: Mode) => {
    if (next === "json" || next === "yaml") switchFormat(next);
    setMode(next);
  };

  const updateData = (fn: (s: ExperimentSchema) => void) => {
    if (!data) return;
    const copy = JSON.parse(JSON.stringify(data)) as ExperimentSchema;
    fn(copy);
    setText(serialise(copy, format));
  };

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const result = await saveSchema(name, text, format);
      const fresh = serialise(result.schema, format);
      setBase(fresh);
      setText(fresh);
      setSaved(result);
      setVersionsTick((v) => v + 1);
      onSaved(result);
    } catch (err) {
      setSaveError(errorText(err));
      if (err instanceof ApiError) setProblems(err.details.map((d) => ({ ...d, pos: locateProblem(text, d) })));
    } finally {
      setSaving(false);
    }
  };

  const restore = async (version: number) => {
    const v = await getSchemaVersion(name, version);
    setText(serialise(v.schema, format));
  };

  const goTo = (p: Problem) => {
    if (mode === "form") setMode(format);
    if (p.pos) setFocusAt({ line: p.pos.line, col: p.pos.col, nonce: ++nonce.current });
  };

  const marks: EditorMark[] = problems
    .filter((p) => p.pos)
    .map((p) => ({ line: p.pos!.line, col: p.pos!.col, message: p.message }));

  return (
    <div className="schema-editor stack">
      <div className="toolbar">
        <div className="segmented" role="radiogroup" aria-label="Edit as">
          {(["form", "json", "yaml"] as const).map((m) => (
            <label key={m} className={mode === m ? "segmented-on" : undefined}>
              <input type="radio" name="schema-mode" checked={mode === m} onChange={() => pickMode(m)} />
              {m === "form" ? "Form" : m.toUpperCase()}
            </label>
          ))}
        </div>
        <span className="small muted" role="status" aria-live="polite">
          {problems.length > 0
            ? `${problems.length} ${problems.length === 1 ? "problem" : "problems"}`
            : checking
              ? "Checking…"
              : checkedOk
                ? `Valid: ${checkedOk}`
                : ""}
          {dirty ? " · unsaved changes" : ""}
        </span>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => download(serialise(data ?? schema, "json"), `${name}.json`, "application/json")}>
          Download JSON
        </button>
        <button type="button" className="button" onClick={() => download(serialise(data ?? schema, "yaml"), `${name}.yaml`, "application/yaml")}>
          Download YAML
        </button>
        <button type="button" className="button" disabled={!dirty || saving} onClick={() => setText(base)}>
          Revert
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={!dirty || saving || problems.length > 0}
          onClick={() => void save()}
        >
          {saving ? "Saving…" : "Save as new version"}
        </button>
      </div>
      {saved && !dirty && (
        <Banner kind="success" title={`Saved version ${saved.version}.`} onDismiss={() => setSaved(null)}>
          {saved.tables_recreated
            ? "The tables' structure changed, so they were recreated empty: generate data to fill them."
            : "The data stays as it is until the next run, which uses this version."}
        </Banner>
      )}
      {saveError && (
        <Banner kind="error" title="Not saved:">
          {saveError}
        </Banner>
      )}
      {problems.length > 0 && (
        <ul className="problems" id={problemsId} aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i}>
              {p.pos ? (
                <button type="button" className="link-button" onClick={() => goTo(p)}>
                  {detailLocation(p) || `line ${p.pos.line}, column ${p.pos.col}`}
                </button>
              ) : (
                detailLocation(p) && <span className="error-loc">{detailLocation(p)}</span>
              )}
              <span>{p.message}</span>
            </li>
          ))}
        </ul>
      )}
      {mode === "form" ? (
        data ? (
          <SchemaForm schema={data} onChange={updateData} focus={focus ?? null} valid={problems.length === 0 && checkedOk !== null} />
        ) : (
          <Banner kind="error" title="The text does not parse:">
            fix it in the {format.toUpperCase()} view first.
          </Banner>
        )
      ) : (
        <div className="field">
          <label htmlFor={editorId} onClick={() => document.getElementById(editorId)?.focus()}>
            Schema ({format.toUpperCase()})
          </label>
          <CodeEditor
            id={editorId}
            value={text}
            onChange={setText}
            language={format}
            label={`Schema (${format.toUpperCase()})`}
            marks={marks}
            focusAt={focusAt}
            onRun={() => !problems.length && dirty && void save()}
            minHeight="24rem"
            describedBy={problems.length ? problemsId : undefined}
          />
          <p className="hint">Problems are checked as you type. Ctrl/⌘-Enter saves.</p>
        </div>
      )}
      <section aria-label="Schema versions" className="stack-tight">
        <h3>Versions</h3>
        {versions.loading && !versions.data ? (
          <Skeleton lines={2} label="Loading versions…" />
        ) : (
          <ul className="versions">
            {(versions.data ?? []).map((v) => (
              <li key={v.version}>
                <strong>v{v.version}</strong> <span className="small muted">{formatDate(v.created_at)}</span>{" "}
                <span className="small">{v.tables} tables</span>
                {v.current ? (
                  <span className="badge badge-success">current</span>
                ) : (
                  <button type="button" className="link-button" onClick={() => void restore(v.version)}>
                    Load into the editor
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function num(value: string): number | undefined {
  if (value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function setOrDelete(obj: Record<string, unknown>, key: string, value: unknown) {
  if (value === undefined || value === "" || value === null) delete obj[key];
  else obj[key] = value;
}

/** The form view: one table, one column at a time. */
function SchemaForm({
  schema,
  onChange,
  focus,
  valid,
}: {
  schema: ExperimentSchema;
  onChange: (fn: (s: ExperimentSchema) => void) => void;
  focus: string | null;
  /** The schema as it is now passed the server's check (the preview waits for it). */
  valid: boolean;
}) {
  const [focusTable, focusColumn, focusField] = (focus ?? "").split(".");
  const [tableName, setTableName] = useState(
    schema.tables.find((t) => t.name === focusTable)?.name ?? schema.tables[0]?.name ?? "",
  );
  const table = schema.tables.find((t) => t.name === tableName) ?? schema.tables[0];
  const [columnName, setColumnName] = useState(
    table?.columns.find((c) => c.name === focusColumn)?.name ?? table?.columns[0]?.name ?? "",
  );
  const column = table?.columns.find((c) => c.name === columnName) ?? table?.columns[0];
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!focusField) return;
    const el = host.current?.querySelector<HTMLElement>(`[data-field="${focusField}"]`);
    el?.focus();
    el?.scrollIntoView({ block: "center" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!table || !column) return <p>The schema has no tables.</p>;
  const ti = schema.tables.indexOf(table);
  const ci = table.columns.indexOf(column);
  const edit = (fn: (c: ColumnSchema, t: TableSchema) => void) =>
    onChange((s) => {
      const t = s.tables[ti];
      fn(t.columns[ci] as ColumnSchema, t);
    });

  return (
    <div className="schema-form" ref={host}>
      <div className="form-row">
        <div className="field">
          <label htmlFor="sf-table">Table</label>
          <select
            id="sf-table"
            value={table.name}
            onChange={(e) => {
              setTableName(e.target.value);
              setColumnName(schema.tables.find((t) => t.name === e.target.value)?.columns[0]?.name ?? "");
            }}
          >
            {schema.tables.map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sf-rows">Target rows</label>
          <input
            id="sf-rows"
            data-field="target_rows"
            type="number"
            min={0}
            value={table.target_rows ?? ""}
            onChange={(e) => onChange((s) => setOrDelete(s.tables[ti] as unknown as Record<string, unknown>, "target_rows", num(e.target.value)))}
          />
        </div>
        <div className="field">
          <label htmlFor="sf-column">Column</label>
          <select id="sf-column" value={column.name} onChange={(e) => setColumnName(e.target.value)}>
            {table.columns.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="schema-form-grid">
        <fieldset className="stack-tight">
          <legend>
            Column <span className="mono">{table.name}.{column.name}</span>
          </legend>
          <div className="form-row">
            <div className="field">
              <label htmlFor="sf-type">Type</label>
              <input
                id="sf-type"
                data-field="data_type"
                className="mono"
                value={column.data_type}
                onChange={(e) => edit((c) => (c.data_type = e.target.value))}
              />
            </div>
            <div className="field">
              <label htmlFor="sf-null">Null rate</label>
              <input
                id="sf-null"
                data-field="null_rate"
                type="number"
                min={0}
                max={1}
                step={0.01}
                value={column.null_rate ?? ""}
                disabled={column.required}
                onChange={(e) => edit((c) => setOrDelete(c, "null_rate", num(e.target.value)))}
              />
            </div>
          </div>
          <div className="inline-radios">
            <label>
              <input
                type="checkbox"
                data-field="is_unique"
                checked={!!column.is_unique}
                onChange={(e) => edit((c) => setOrDelete(c, "is_unique", e.target.checked || undefined))}
              />
              Unique
            </label>
            <label>
              <input
                type="checkbox"
                data-field="required"
                checked={!!column.required}
                onChange={(e) => edit((c) => setOrDelete(c, "required", e.target.checked || undefined))}
              />
              Required (NOT NULL)
            </label>
          </div>
          <div className="form-row">
            <div className="field">
              <label htmlFor="sf-min">Minimum</label>
              <input
                id="sf-min"
                data-field="min_value"
                value={String(column.min_value ?? column.date_start ?? "")}
                onChange={(e) => edit((c) => setBound(c, "min", e.target.value))}
              />
            </div>
            <div className="field">
              <label htmlFor="sf-max">Maximum</label>
              <input
                id="sf-max"
                data-field="max_value"
                value={String(column.max_value ?? column.date_end ?? "")}
                onChange={(e) => edit((c) => setBound(c, "max", e.target.value))}
              />
            </div>
          </div>
          <div className="field">
            <label htmlFor="sf-faker">Faker rule</label>
            <input
              id="sf-faker"
              data-field="faker_rule"
              className="mono"
              list="sf-faker-rules"
              value={column.faker_rule ?? ""}
              onChange={(e) => edit((c) => setOrDelete(c, "faker_rule", e.target.value.trim() || undefined))}
              placeholder="e.g. internet.email"
            />
            <datalist id="sf-faker-rules">
              {FAKER_RULES.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
          </div>
          <DistributionFields
            label="Distribution"
            field="distribution"
            value={(column.distribution as Record<string, unknown> | null | undefined) ?? null}
            types={Object.keys(DISTRIBUTIONS)}
            onChange={(d) => edit((c) => setOrDelete(c, "distribution", d ?? undefined))}
          />
          <ForeignKeyFields schema={schema} column={column} onChange={(fk) => edit((c) => setOrDelete(c, "foreign_key", fk ?? undefined))} />
        </fieldset>
        <ColumnPreview column={column} enabled={valid} />
      </div>
    </div>
  );
}

function setBound(c: ColumnSchema, which: "min" | "max", raw: string) {
  const value = raw.trim();
  const isDate = /^\d{4}-\d{2}-\d{2}/.test(value) || (which === "min" ? !!c.date_start : !!c.date_end);
  const numKey = which === "min" ? "min_value" : "max_value";
  const dateKey = which === "min" ? "date_start" : "date_end";
  if (value === "") {
    delete c[numKey];
    delete c[dateKey];
  } else if (isDate && !/^-?\d+(\.\d+)?$/.test(value)) {
    delete c[numKey];
    c[dateKey] = value;
  } else {
    delete c[dateKey];
    c[numKey] = num(value) ?? value;
  }
}

function DistributionFields({
  label,
  field,
  value,
  types,
  onChange,
}: {
  label: string;
  field: string;
  value: Record<string, unknown> | null;
  types: string[];
  onChange: (d: Record<string, unknown> | null) => void;
}) {
  const type = (value?.type as string | undefined) ?? "";
  const params = DISTRIBUTIONS[type] ?? [];
  const id = useId();
  return (
    <div className="stack-tight">
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          data-field={field}
          value={type}
          onChange={(e) => {
            const t = e.target.value;
            if (!t) onChange(null);
            else if (field.endsWith("cardinality") && t === "uniform") onChange({ type: t, low: 0, high: 4 });
            else onChange({ type: t, ...DEFAULTS[t] });
          }}
        >
          <option value="">{field === "distribution" ? "default for the type" : "none"}</option>
          {types.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      {params.length > 0 && (
        <div className="form-row">
          {params.map((p) => {
            const listy = p === "values" || p === "weights";
            const raw = value?.[p];
            return (
              <div className="field" key={p}>
                <label htmlFor={`${id}-${p}`}>
                  {label} {p}
                </label>
                <input
                  id={`${id}-${p}`}
                  data-field={`${field}.${p}`}
                  value={Array.isArray(raw) ? raw.join(", ") : raw === undefined || raw === null ? "" : String(raw)}
                  placeholder={listy ? "comma-separated" : undefined}
                  onChange={(e) => {
                    const next: Record<string, unknown> = { ...(value ?? {}), type };
                    const text = e.target.value;
                    if (listy) {
                      const items = text.split(",").map((x) => x.trim()).filter(Boolean);
                      setOrDelete(next, p, items.length ? (p === "weights" ? items.map(Number) : items.map((x) => num(x) ?? x)) : undefined);
                    } else setOrDelete(next, p, num(text));
                    onChange(next);
                  }}
                />
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

function ForeignKeyFields({
  schema,
  column,
  onChange,
}: {
  schema: ExperimentSchema;
  column: ColumnSchema;
  onChange: (fk: Record<string, unknown> | null) => void;
}) {
  const fk = column.foreign_key as (Record<string, unknown> & { references_table?: string; references_column?: string }) | null | undefined;
  const parent = schema.tables.find((t) => t.name === fk?.references_table);
  return (
    <fieldset className="stack-tight">
      <legend>Foreign key</legend>
      <div className="form-row">
        <div className="field">
          <label htmlFor="sf-fk-table">References table</label>
          <select
            id="sf-fk-table"
            data-field="foreign_key"
            value={fk?.references_table ?? ""}
            onChange={(e) => {
              const t = schema.tables.find((x) => x.name === e.target.value);
              if (!t) onChange(null);
              else {
                const key = t.columns.find((c) => c.is_unique) ?? t.columns[0];
                onChange({ references_table: t.name, references_column: key.name });
              }
            }}
          >
            <option value="">none</option>
            {schema.tables.map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
          </select>
        </div>
        {fk && parent && (
          <div className="field">
            <label htmlFor="sf-fk-column">References column</label>
            <select
              id="sf-fk-column"
              value={fk.references_column ?? ""}
              onChange={(e) => onChange({ ...fk, references_column: e.target.value })}
            >
              {parent.columns.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </div>
        )}
      </div>
      {fk && (
        <DistributionFields
          label="Children per parent"
          field="foreign_key.cardinality"
          value={(fk.cardinality as Record<string, unknown> | null | undefined) ?? null}
          types={CARDINALITIES}
          onChange={(d) => {
            const next = { ...fk };
            setOrDelete(next, "cardinality", d ?? undefined);
            onChange(next);
          }}
        />
      )}
    </fieldset>
  );
}

/** The values the generator makes for this column (a sample of 2,000), refreshed as the form changes. A foreign
 * key's cardinality is previewed as the number of children per parent. */
function ColumnPreview({ column, enabled }: { column: ColumnSchema; enabled: boolean }) {
  const fk = column.foreign_key as { cardinality?: Record<string, unknown> | null } | null | undefined;
  const spec = useMemo(() => {
    if (fk?.cardinality) return { name: "children_per_parent", data_type: "INT", distribution: fk.cardinality };
    const { foreign_key: _fk, ...rest } = column;
    return rest;
  }, [column, fk]);
  const key = JSON.stringify(spec);
  const [state, setState] = useState<{ key: string; profile?: ColumnProfile; error?: string } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const t = setTimeout(() => {
      previewColumn(spec as Record<string, unknown>).then(
        (profile) => live && setState({ key, profile }),
        (err: unknown) => live && setState({ key, error: errorText(err) }),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled]);
  const label = fk?.cardinality ? `children per parent of ${column.name}` : column.name;
  const items = state?.profile?.histogram ?? [];
  return (
    <section className="card column-preview" aria-label="Value preview" aria-busy={state?.key !== key}>
      <h4>
        Preview <span className="small muted">(2,000 values from the generator)</span>
      </h4>
      {!enabled && state?.key !== key ? (
        <p className="small muted">The preview follows once the schema is valid.</p>
      ) : !state ? (
        <Skeleton lines={4} label="Making a sample…" />
      ) : state.error ? (
        <p className="small error-text">{state.error}</p>
      ) : state.profile ? (
        <>
          <p className="small muted">
            nulls {formatPercent(state.profile.null_fraction)} · distinct {state.profile.distinct ?? "—"}
            {state.profile.mean !== null && state.profile.mean !== undefined ? ` · mean ${Number(state.profile.mean).toPrecision(4)}` : ""}
          </p>
          {items.length > 0 &&
            (isBuckets(items) ? (
              <Histogram buckets={items} label={label} />
            ) : (
              <TopValues values={items as { value: unknown; count: number }[]} label={label} rows={state.profile.rows} />
            ))}
        </>
      ) : null}
    </section>
  );
}
