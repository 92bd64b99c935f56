/** The one mapping from domain errors to HTTP, and the one problem+json renderer (RFC 9457). */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { SchemaValidationError } from "../../schemas/registry.js";
import { DomainError, type DomainErrorCode } from "../errors.js";

const STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  "bad-request": 400,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "precondition-failed": 412,
  "payload-too-large": 413,
};

const TITLE: Record<DomainErrorCode, string> = {
  "bad-request": "Bad request",
  validation: "Request does not match its schema",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  "not-found": "Not found",
  conflict: "Conflict",
  "precondition-failed": "Precondition failed",
  "payload-too-large": "Payload too large",
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = "https://nixfleet.dev/problems/";

/** The problem document and status for any thrown value; unknown errors become an opaque 500. */
export function toProblem(err: unknown, requestId: string, instance?: string): ProblemDocument {
  if (err instanceof SchemaValidationError) {
    return {
      type: `${PROBLEM_TYPE_BASE}validation`,
      title: TITLE.validation,
      status: STATUS.validation,
      detail: err.message,
      requestId,
      ...(instance ? { instance } : {}),
      issues: err.issues.slice(0, 50),
    };
  }
  if (err instanceof DomainError) {
    return {
      ...err.details,
      type: `${PROBLEM_TYPE_BASE}${err.code}`,
      title: TITLE[err.code],
      status: STATUS[err.code],
      detail: err.message,
      requestId,
      ...(instance ? { instance } : {}),
    };
  }
  return {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: "Internal server error",
    status: 500,
    detail: "the control plane failed to handle the request; the request id names it in the server log",
    requestId,
    ...(instance ? { instance } : {}),
  };
}

export function problemResponse(
  problem: ProblemDocument,
  extraHeaders: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: {
      "content-type": "application/problem+json",
      "x-request-id": problem.requestId,
      ...extraHeaders,
    },
  });
}
