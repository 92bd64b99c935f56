/** RFC 8785 JSON Canonicalization Scheme and SHA-256 over it: the basis of every evidence hash. */
import { createHash } from "node:crypto";

// Keys repeat across evidence records ("controlId", "host", …): quote each once. Bounded so arbitrary input
// (agent reports with generated keys) cannot grow it without limit.
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function write(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON cannot represent NaN or Infinity");
      return JSON.stringify(value); // ECMAScript Number::toString is exactly RFC 8785's number form
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item: unknown = value[i];
          out += item === undefined ? "null" : write(item);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort(); // default sort compares UTF-16 code units, as RFC 8785 requires
      let out = "{";
      let first = true;
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined) continue;
        if (!first) out += ",";
        first = false;
        out += `${quoteKey(key)}:${write(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
  }
}

/** Canonical JSON (RFC 8785): sorted keys by UTF-16 code units, ECMAScript number form, no whitespace. */
export function canonicalize(value: unknown): string {
  return write(value);
}

/** SHA-256 (hex) of bytes or a string (UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 (hex) of the canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalize(value));
}
