/**
 * Reading NixOS option paths out of facts. Facts keep NixOS's nesting, so an option path such as
 * `boot.kernel.sysctl."kernel.kptr_restrict"` is read segment by segment; quoted segments may contain dots.
 */

/** An option path as written in Nix: dot-separated, segments with dots or spaces in double quotes. */
export function parseOptionPath(path: string): string[] {
  const segments: string[] = [];
  let current = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (quoted) {
      if (ch === "\\" && i + 1 < path.length) {
        current += path[++i];
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ".") {
      if (current === "" && !wasQuoted) throw new Error(`empty segment in option path "${path}"`);
      segments.push(current);
      current = "";
      wasQuoted = false;
    } else {
      current += ch;
    }
  }
  if (quoted) throw new Error(`unterminated quote in option path "${path}"`);
  if (current === "" && !wasQuoted) throw new Error(`empty segment in option path "${path}"`);
  segments.push(current);
  return segments;
}

/** Renders segments back as a Nix option path, quoting segments that need it. */
export function formatOptionPath(segments: readonly string[]): string {
  return segments
    .map((s) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(s) ? s : `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`))
    .join(".");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Controls read the same few hundred constant paths over and over: parse each once.
const parsed = new Map<string, readonly string[]>();

/**
 * The value at an option path (a Nix-style string or an array of segments), or undefined when any
 * segment is missing or crosses a non-object. Never throws on the facts' shape.
 */
export function getPath(facts: unknown, path: string | readonly string[]): unknown {
  let segments: readonly string[];
  if (typeof path === "string") {
    let cached = parsed.get(path);
    if (cached === undefined) {
      cached = parseOptionPath(path);
      if (parsed.size < 10_000) parsed.set(path, cached);
    }
    segments = cached;
  } else {
    segments = path;
  }
  let node: unknown = facts;
  for (const segment of segments) {
    if (!isRecord(node)) return undefined;
    const next = node[segment];
    // Facts are JSON: an inherited member (toString, constructor, __proto__) is never an option.
    if (
      next === undefined ||
      typeof next === "function" ||
      (segment === "__proto__" && !Object.hasOwn(node, segment))
    )
      return undefined;
    node = next;
  }
  return node;
}

export { isRecord };
