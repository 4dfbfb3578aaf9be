// The code editor, loaded on demand: CodeMirror is most of the UI's code, and the experiments list does not need it.
import { lazy, Suspense } from "react";
import type { CodeEditorProps } from "./editorTypes";

export type { EditorMark, EditorSelection } from "./editorTypes";

const Editor = lazy(() => import("./CodeEditor").then((m) => ({ default: m.CodeEditor })));

export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <div
          className="code-editor code-editor-loading"
          style={{ minHeight: props.minHeight ?? "12rem" }}
          aria-busy="true"
          aria-label={`${props.label} (loading the editor)`}
        />
      }
    >
      <Editor {...props} />
    </Suspense>
  );
}
