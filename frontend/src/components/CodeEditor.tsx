// A CodeMirror 6 editor as a controlled React component: JSON, YAML or SQL (per warehouse dialect).
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { sql } from "@codemirror/lang-sql";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorSelection, EditorState, Prec, type Extension } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderExt,
} from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { CodeEditorProps, EditorLanguage, EditorMark } from "./editorTypes";
import { dialectFor } from "./sqlDialects";

export type { CodeEditorProps, EditorLanguage, EditorMark } from "./editorTypes";

function languageExtension(language: EditorLanguage, dialect?: string, tables?: Record<string, string[]>): Extension {
  if (language === "json") return json();
  if (language === "yaml") return yaml();
  return sql({ dialect: dialectFor(dialect), schema: tables, upperCaseKeywords: true });
}

/** 1-based line/column -> document offset, clamped to the document. */
function offsetOf(state: EditorState, line: number, col?: number | null): number {
  const ln = state.doc.line(Math.min(Math.max(1, line), state.doc.lines));
  return Math.min(ln.to, ln.from + Math.max(0, (col ?? 1) - 1));
}

function toDiagnostics(state: EditorState, marks: EditorMark[]): Diagnostic[] {
  return marks.map((m) => {
    const from = offsetOf(state, m.line, m.col);
    const lineEnd = state.doc.lineAt(from).to;
    return { from, to: m.col ? Math.min(lineEnd, from + 1) : lineEnd, message: m.message, severity: m.severity ?? "error" };
  });
}

export function CodeEditor(props: CodeEditorProps) {
  const { value, language, dialect, label, marks, focusAt, tables, minHeight = "12rem" } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const langCompartment = useRef(new Compartment());
  const attrCompartment = useRef(new Compartment());
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    if (!host.current) return;
    const runKeys = Prec.highest(
      keymap.of([
        {
          key: "Mod-Enter",
          run: () => {
            callbacks.current.onRun?.();
            return callbacks.current.onRun !== undefined;
          },
        },
        {
          key: "Shift-Mod-Enter",
          run: () => {
            const all = callbacks.current.onRunAll ?? callbacks.current.onRun;
            all?.();
            return all !== undefined;
          },
        },
      ]),
    );
    const state = EditorState.create({
      doc: value,
      extensions: [
        runKeys,
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        lintGutter(),
        keymap.of([
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...completionKeymap,
          // Tab indents; Escape then Tab leaves the editor (CodeMirror's accessible tab handling).
          indentWithTab,
        ]),
        langCompartment.current.of(languageExtension(language, dialect, tables)),
        attrCompartment.current.of(contentAttributes(props)),
        props.placeholder ? placeholderExt(props.placeholder) : [],
        EditorView.theme({ "&": { minHeight }, ".cm-scroller": { minHeight } }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          if (update.docChanged || update.selectionSet) {
            const main = update.state.selection.main;
            callbacks.current.onSelection?.({ from: main.from, to: main.to, head: main.head });
          }
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current });
    return () => {
      view.current?.destroy();
      view.current = null;
    };
    // The editor is created once; the effects below keep it in step with the props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: langCompartment.current.reconfigure(languageExtension(language, dialect, tables)),
    });
  }, [language, dialect, tables]);

  useEffect(() => {
    view.current?.dispatch({ effects: attrCompartment.current.reconfigure(contentAttributes(props)) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label, props.id, props.describedBy]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state, marks ?? [])));
  }, [marks, value]);

  useEffect(() => {
    const v = view.current;
    if (v && focusAt) {
      const pos = offsetOf(v.state, focusAt.line, focusAt.col);
      v.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
      v.focus();
    }
  }, [focusAt]);

  return <div className="code-editor" ref={host} data-language={language} />;
}

function contentAttributes(props: CodeEditorProps): Extension {
  const attrs: Record<string, string> = { "aria-label": props.label, "aria-multiline": "true" };
  if (props.id) attrs.id = props.id;
  if (props.describedBy) attrs["aria-describedby"] = props.describedBy;
  return EditorView.contentAttributes.of(attrs);
}
