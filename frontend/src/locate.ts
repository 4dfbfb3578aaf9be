// Where in a schema text (JSON or YAML) a validation problem is: find the table, then the column, then the field.
import type { ErrorDetail } from "./api/client";

export interface TextPosition {
  line: number; // 1-based
  col: number; // 1-based
}

export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Offset of `name` as a value or key (quoted, or bare in YAML) at or after `from`, or -1. */
function findName(text: string, name: string, from: number): number {
  const re = new RegExp(`(["']${escape(name)}["']|(?<![\\w.])${escape(name)}(?![\\w]))`, "g");
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : -1;
}

/** Offset of a key (`"key":` or `key:`) at or after `from`, or -1. */
function findKey(text: string, key: string, from: number): number {
  const re = new RegExp(`(["']${escape(key)}["']\\s*:|(?<![\\w])${escape(key)}\\s*:)`, "g");
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : -1;
}

/** Best guess at the position a problem points to; null when nothing in the text matches. */
export function locateProblem(text: string, detail: ErrorDetail): TextPosition | null {
  if (detail.line) return { line: detail.line, col: detail.col ?? 1 };
  let at = 0;
  let found = false;
  for (const name of [detail.table, detail.column]) {
    if (!name) continue;
    const i = findName(text, name, at);
    if (i >= 0) {
      at = i;
      found = true;
    }
  }
  const field = detail.field?.split(".").pop()?.replace(/\[\d+\]$/, "");
  if (field && field !== "name") {
    const i = findKey(text, field, at);
    if (i >= 0) {
      at = i;
      found = true;
    }
  }
  return found ? positionAt(text, at + (text[at] === '"' || text[at] === "'" ? 1 : 0)) : null;
}

/** A JSON.parse error message -> position (V8 says "at position N" or "(line L column C)"). */
export function jsonErrorPosition(text: string, message: string): TextPosition | null {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (pos) return positionAt(text, Number(pos[1]));
  if (/end of (JSON )?input/i.test(message)) return positionAt(text, text.length);
  return null;
}

/** The first JSON syntax error in `text` (offset and message), or null when it parses. Browsers' JSON.parse
 * messages do not always carry a position, so this small scanner finds it. */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  class Stop extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const fail = (message: string): never => {
    throw new Stop(i, message);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const describe = () => (i >= text.length ? "end of input" : `'${text[i]}'`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe()}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\n") fail("unterminated string");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("bad \\u escape");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail("bad escape");
      }
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`unexpected ${describe()}`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describe()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ':' after a property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected ',' or '}', found ${describe()}`);
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected ',' or ']', found ${describe()}`);
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (err instanceof Stop) return { offset: err.offset, message: err.message };
    throw err;
  }
}
