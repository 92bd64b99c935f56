/**
 * The schema error type and ajv-error conversion, without ajv itself: code that validates with precompiled
 * validators (the resident agent, docs/adr/0501) raises the same error without loading the registry.
 */
import type { ErrorObject } from "ajv";

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
