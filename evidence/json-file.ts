/**
 * Reading JSON input files with errors a user can act on: the file, the line and column of a syntax error,
 * or the JSON path of a value that does not fit. Errors carry exitCode 2 (bad input), which the CLI entry
 * honours without this layer knowing about the CLI.
 */
import { readFileSync } from "node:fs";

/** Bad input in a file the user gave us: exit code 2, message names the file and the place. */
export class InputError extends Error {
  override name = "InputError";
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly source: string,
    readonly where?: string,
  ) {
    super(message);
  }
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Offset of the first JSON syntax error, found by a small recursive-descent scan. Node 20's JSON.parse does not
 * always report a position ("Unexpected token '}', ... is not valid JSON"), so we locate it ourselves.
 */
export function syntaxErrorOffset(text: string): { offset: number; expected: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  class Stop {
    constructor(
      readonly offset: number,
      readonly expected: string,
    ) {}
  }
  const fail = (expected: string, at = i): never => {
    throw new Stop(at, expected);
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) fail(`"${word}"`, i + k);
    i += word.length;
  };
  const string = () => {
    if (text[i] !== '"') fail("a string");
    i++;
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 34) {
        i++;
        return;
      }
      if (ch < 0x20) fail("a closing quote (control characters must be escaped)");
      if (ch === 92) {
        const next = text[i + 1];
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("four hex digits", i + 2);
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail("a valid escape", i + 1);
      } else i++;
    }
    fail("a closing quote");
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") fail("a value");
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 2000) fail("less nesting");
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ":") fail("':' after a property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail("',' or '}' after a property value");
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail("',' or ']' after an array element");
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    if (ch === "t") {
      literal("true");
      return;
    }
    if (ch === "f") {
      literal("false");
      return;
    }
    if (ch === "n") {
      literal("null");
      return;
    }
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      number();
      return;
    }
    fail("a value");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail("end of input");
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return { offset: err.offset, expected: err.expected };
    throw err;
  }
}

/** Parses JSON text; on a syntax error throws InputError "SOURCE:LINE:COLUMN: invalid JSON: expected …". */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // tolerate a UTF-8 BOM
  try {
    return JSON.parse(body);
  } catch {
    const found = syntaxErrorOffset(body);
    const offset = found?.offset ?? body.length;
    const { line, column } = lineColumn(body, offset);
    const got = offset >= body.length ? "end of input" : JSON.stringify(body[offset]);
    throw new InputError(
      `${source}:${line}:${column}: invalid JSON: expected ${found?.expected ?? "a value"}, found ${got}`,
      source,
      `${line}:${column}`,
    );
  }
}

/** Reads and parses a JSON file; "-" reads standard input. Unreadable files are InputErrors too. */
export function readJsonFile(path: string, label = "file"): unknown {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code);
    throw new InputError(`${path}: cannot read ${label}: ${why}`, path);
  }
  return parseJsonText(text, path === "-" ? "<stdin>" : path);
}

/** A JSON pointer ("/a/b/0") as a readable path ("$.a.b[0]"), for messages. */
export function pointerToPath(pointer: string): string {
  if (pointer === "" || pointer === "/") return "$";
  return `$${pointer
    .split("/")
    .slice(1)
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((seg) =>
      /^\d+$/.test(seg)
        ? `[${seg}]`
        : /^[A-Za-z_$][\w$-]*$/.test(seg)
          ? `.${seg}`
          : `[${JSON.stringify(seg)}]`,
    )
    .join("")}`;
}
