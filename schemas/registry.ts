/** The one ajv instance of the project: every schema in schemas/ is compiled once, on first use. */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { allSchemas } from "./generated/index.js";
import { SchemaValidationError, toIssues } from "./schema-error.js";

// The error type lives in schema-error.ts so precompiled validators can raise it without loading ajv.
export { type SchemaIssue, SchemaValidationError, toIssues } from "./schema-error.js";

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_BASE = "https://nixfleet.dev/schemas/";

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, keywords: ["tsType"] });
addFormats(ajv);
// Checking every schema against the 2020-12 meta-schema here would compile the meta-schema at every CLI start
// (~0.3 s, most of `nixfleet compliance-check`'s start-up): schemas/registry.test.ts checks them once instead,
// and strict mode still rejects unknown keywords when a schema is compiled.
for (const schema of Object.values(allSchemas)) ajv.addSchema(schema as object, undefined, undefined, false);

/** Meta-schema problems of every registered schema (empty when all are valid), for the test suite. */
export function metaSchemaIssues(): string[] {
  const issues: string[] = [];
  for (const schema of Object.values(allSchemas)) {
    if (!ajv.validateSchema(schema as object))
      issues.push(`${(schema as { $id?: string }).$id}: ${ajv.errorsText(ajv.errors)}`);
  }
  return issues;
}

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

/** Validates `data` against a schema and returns it typed, or throws SchemaValidationError. */
export function validate<T>(name: string, data: unknown, source?: string): T {
  const fn = validatorFor(name);
  if (!fn(data)) throw new SchemaValidationError(name, toIssues(fn.errors), source);
  return data as T;
}

/** Like validate but returns the issues instead of throwing. */
export function check(name: string, data: unknown): ReturnType<typeof toIssues> {
  const fn = validatorFor(name);
  return fn(data) ? [] : toIssues(fn.errors);
}
