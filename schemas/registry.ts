/** The one ajv instance of the project: every schema in schemas/ is compiled once, on first use. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { allSchemas } from "./generated/index.js";

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_BASE = "https://nixfleet.dev/schemas/";

/** One problem found in a document: where (JSON pointer) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** A document did not match its schema. `source` names the file or request part it came from. */
export class SchemaValidationError extends Error {
  readonly issues: SchemaIssue[];
  readonly schema: string;
  readonly source: string | undefined;
  constructor(schema: string, issues: SchemaIssue[], source?: string) {
    const where = source ? `${source}: ` : "";
    const first = issues[0];
    super(
      `${where}invalid ${schema}: ${first ? `${first.path || "/"} ${first.message}` : "does not match"}${
        issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
      }`,
    );
    this.name = "SchemaValidationError";
    this.issues = issues;
    this.schema = schema;
    this.source = source;
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, keywords: ["tsType"] });
addFormats(ajv);
for (const schema of Object.values(allSchemas)) ajv.addSchema(schema as object);

const compiled = new Map<string, ValidateFunction>();

function schemaId(name: string): string {
  if (name.startsWith("http")) return name;
  return `${SCHEMA_BASE}${name.endsWith(".schema.json") ? name : `${name}.schema.json`}`;
}

/** The compiled validator for a schema, by file stem ("facts") or full $id, with an optional "#/$defs/x" fragment. */
export function validatorFor(name: string): ValidateFunction {
  const id = schemaId(name.split("#")[0] ?? name) + (name.includes("#") ? `#${name.split("#")[1]}` : "");
  let fn = compiled.get(id);
  if (!fn) {
    const found = ajv.getSchema(id);
    if (!found) throw new Error(`no schema registered as ${id}`);
    fn = found;
    compiled.set(id, fn);
  }
  return fn;
}

/** Converts ajv errors to our issue list (JSON pointer + message). */
export function toIssues(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((e) => {
    let path = e.instancePath;
    if (e.keyword === "additionalProperties")
      path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    if (e.keyword === "required") path += `/${(e.params as { missingProperty: string }).missingProperty}`;
    const message =
      e.keyword === "additionalProperties"
        ? "is not an allowed property"
        : e.keyword === "required"
          ? "is required"
          : (e.message ?? "is invalid");
    return { path, message };
  });
}

/** Validates `data` against a schema and returns it typed, or throws SchemaValidationError. */
export function validate<T>(name: string, data: unknown, source?: string): T {
  const fn = validatorFor(name);
  if (!fn(data)) throw new SchemaValidationError(name, toIssues(fn.errors), source);
  return data as T;
}

/** Like validate but returns the issues instead of throwing. */
export function check(name: string, data: unknown): SchemaIssue[] {
  const fn = validatorFor(name);
  return fn(data) ? [] : toIssues(fn.errors);
}
