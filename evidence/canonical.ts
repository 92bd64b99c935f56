/** RFC 8785 JSON Canonicalization Scheme and SHA-256 over it: the basis of every evidence hash. */
import { createHash } from "node:crypto";

/** Canonical JSON (RFC 8785): sorted keys by UTF-16 code units, ECMAScript number form, no whitespace. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("canonical JSON cannot represent NaN or Infinity");
    return JSON.stringify(value); // ECMAScript Number::toString is exactly RFC 8785's number form
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalize(v))).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort(); // default sort compares UTF-16 code units, as RFC 8785 requires
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(",")}}`;
  }
  throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
}

/** SHA-256 (hex) of bytes or a string (UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 (hex) of the canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalize(value));
}
