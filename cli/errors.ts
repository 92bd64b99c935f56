/** Errors the CLI understands. Commands throw these; only main.ts turns them into exit codes. */
import { SchemaValidationError } from "../schemas/schema-error.js";

/** Bad usage or bad input: exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The check or operation found a failure: exit 1. The message is printed unless `silent`. */
export class CheckFailed extends Error {
  override name = "CheckFailed";
  constructor(
    message: string,
    readonly silent = false,
  ) {
    super(message);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof SchemaValidationError) return 2;
  if (err instanceof CheckFailed) return 1;
  if (err && typeof err === "object" && "exitCode" in err && typeof err.exitCode === "number")
    return err.exitCode;
  return 1;
}

export function formatError(err: unknown): string {
  if (err instanceof SchemaValidationError) {
    const lines = err.issues.slice(0, 10).map((i) => `  at ${i.path || "/"}: ${i.message}`);
    return `${err.message}\n${lines.join("\n")}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
