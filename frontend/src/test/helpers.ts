// Test helpers: a fake API behind `fetch`, a fake EventSource, and a way to type into CodeMirror editors.
import { EditorView } from "@codemirror/view";
import { act, screen } from "@testing-library/react";
import { vi } from "vitest";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string | undefined;
  headers: Record<string, string>;
  json: () => unknown;
}

type Handler = (call: Call) => unknown | Promise<unknown>;

export interface Reply {
  __reply: true;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function reply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { __reply: true, status, body, headers };
}

/** Never answers: for loading states. */
export const pending = (): Promise<never> => new Promise<never>(() => undefined);

/** Route "METHOD /path" to handlers; returns the list of calls made. Unknown routes answer 404 in the API's shape. */
export function mockApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), "http://localhost");
      const method = (init?.method ?? "GET").toUpperCase();
      const body = typeof init?.body === "string" ? init.body : undefined;
      const call: Call = {
        method,
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body,
        headers: (init?.headers ?? {}) as Record<string, string>,
        json: () => (body ? JSON.parse(body) : undefined),
      };
      calls.push(call);
      const handler = routes[`${method} ${call.path}`];
      if (!handler) {
        return new Response(JSON.stringify({ error: "not_found", message: `no route ${method} ${call.path}`, details: [] }), {
          status: 404,
        });
      }
      const out = await handler(call);
      if (out instanceof Response) return out;
      if (out && typeof out === "object" && "__reply" in out) {
        const r = out as Reply;
        const payload = r.body instanceof Blob || typeof r.body === "string" ? r.body : JSON.stringify(r.body);
        return new Response(payload as BodyInit, { status: r.status, headers: r.headers });
      }
      return new Response(JSON.stringify(out), { status: 200, headers: { "Content-Type": "application/json" } });
    }),
  );
  return calls;
}

export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  url: string;
  closed = false;
  onerror: ((e: Event) => void) | null = null;
  private listeners: Record<string, ((e: MessageEvent) => void)[]> = {};
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    (this.listeners[type] ??= []).push(fn);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: unknown) {
    act(() => {
      for (const fn of this.listeners[type] ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
    });
  }
  static install() {
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
  }
}

/** Replace the text of the CodeMirror editor labelled `label`. */
export async function setEditorText(label: string | RegExp, text: string): Promise<void> {
  const content = await screen.findByRole("textbox", { name: label });
  const view = EditorView.findFromDOM(content);
  if (!view) throw new Error(`no CodeMirror editor labelled ${String(label)}`);
  act(() => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  });
}

export async function editorText(label: string | RegExp): Promise<string> {
  const view = EditorView.findFromDOM(await screen.findByRole("textbox", { name: label }));
  return view ? view.state.doc.toString() : "";
}
