/** Request input: JSON bodies through the shared ajv registry, bounded query parameters, opaque cursors. */
import type { Context } from "hono";
import { validate } from "../../schemas/registry.js";
import type { AppEnv } from "../env.js";
import { BadRequest } from "../errors.js";

/**
 * A request header, read from Node's already-parsed IncomingMessage when there is one: `c.req.header()` makes
 * @hono/node-server build a Headers object, a measurable share of an agent check-in. Falls back for app.request().
 */
export function requestHeader(c: Context<AppEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  if (incoming && "headers" in incoming) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
  return c.req.header(name);
}

/** Parses the body as JSON and validates it against `schema` (throws BadRequest / SchemaValidationError). */
export async function readJson<T>(c: Context<AppEnv>, schema: string): Promise<T> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
    throw new BadRequest("the body must be application/json");
  const text = await c.req.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BadRequest(
      `the body is not valid JSON: ${err instanceof Error ? err.message.slice(0, 200) : "parse error"}`,
    );
  }
  return validate<T>(schema, parsed, "request body");
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** An integer query parameter within bounds. */
export function intQuery(
  c: Context<AppEnv>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d{1,16}$/.test(raw)) throw new BadRequest(`query parameter ${name} must be an integer`);
  const n = Number(raw);
  if (n < min || n > max) throw new BadRequest(`query parameter ${name} must be between ${min} and ${max}`);
  return n;
}

/** A string query parameter, bounded and optionally matched. */
export function stringQuery(
  c: Context<AppEnv>,
  name: string,
  pattern = /^[\x20-\x7e]{1,256}$/,
): string | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!pattern.test(raw)) throw new BadRequest(`query parameter ${name} is not valid`);
  return raw;
}

/** A date-time query parameter as epoch ms. */
export function timeQuery(c: Context<AppEnv>, name: string): number | undefined {
  const raw = stringQuery(
    c,
    name,
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
  );
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new BadRequest(`query parameter ${name} is not a date-time`);
  return ms;
}

export function pageSize(c: Context<AppEnv>): number {
  return intQuery(c, "limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
}

/** Cursors are opaque to clients: base64url of the last key seen. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor<T extends string | number>(
  c: Context<AppEnv>,
  kind: "string" | "number",
): T | undefined {
  const raw = stringQuery(c, "cursor", /^[A-Za-z0-9_-]{1,400}$/);
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (typeof v === kind) return v as T;
  } catch {
    // fall through
  }
  throw new BadRequest("query parameter cursor is not a cursor this server issued");
}

/** Standard pagination query parameters, for operation specs. */
export const PAGE_QUERY = [
  {
    name: "limit",
    description: `page size (1-${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE})`,
    schema: { type: "integer" as const, minimum: 1, maximum: MAX_PAGE_SIZE },
  },
  {
    name: "cursor",
    description: "the nextCursor of the previous page",
    schema: { type: "string" as const, maxLength: 400 },
  },
];
