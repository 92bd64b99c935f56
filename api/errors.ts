/**
 * Domain errors: a closed set of codes that know nothing of HTTP. Services throw these; `api/http/problem.ts`
 * maps each code to a status once, and `app.onError` renders every failure as one problem+json shape.
 */
import type { SchemaIssue } from "../schemas/registry.js";

export type DomainErrorCode =
  | "not-found"
  | "conflict"
  | "precondition-failed"
  | "forbidden"
  | "unauthorized"
  | "bad-request"
  | "validation"
  | "payload-too-large";

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Extra members of the problem document (RFC 9457 extension members), e.g. the conflicting id. */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

/** The named thing does not exist (or the actor may not know that it exists). */
export class NotFound extends DomainError {
  override name = "NotFound";
  readonly code = "not-found" as const;
}

/** The change contradicts the current state (duplicate id, resource in use, already revoked). */
export class Conflict extends DomainError {
  override name = "Conflict";
  readonly code = "conflict" as const;
}

/** A stated precondition does not hold (the generation is no longer desired, a machine is decommissioned). */
export class PreconditionFailed extends DomainError {
  override name = "PreconditionFailed";
  readonly code = "precondition-failed" as const;
}

/** The actor is known but may not do this. */
export class Forbidden extends DomainError {
  override name = "Forbidden";
  readonly code = "forbidden" as const;
}

/** No valid credential was presented. */
export class Unauthorized extends DomainError {
  override name = "Unauthorized";
  readonly code = "unauthorized" as const;
}

/** The request is malformed (not JSON, bad query parameter, bad path parameter). */
export class BadRequest extends DomainError {
  override name = "BadRequest";
  readonly code = "bad-request" as const;
}

/** The request is well-formed but does not match its schema; `issues` carries JSON pointers. */
export class ValidationFailed extends DomainError {
  override name = "ValidationFailed";
  readonly code = "validation" as const;
  readonly issues: SchemaIssue[];
  constructor(message: string, issues: SchemaIssue[]) {
    super(message, { issues });
    this.issues = issues;
  }
}

/** The body is larger than the configured limit. */
export class PayloadTooLarge extends DomainError {
  override name = "PayloadTooLarge";
  readonly code = "payload-too-large" as const;
}
