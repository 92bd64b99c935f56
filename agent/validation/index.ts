/**
 * Validation for the resident agent: the precompiled validators of compiled.ts (generated from the shared
 * schemas, drift-checked by validators.test.ts) raising the project's SchemaValidationError.
 */
import type { ErrorObject } from "ajv";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import type { DesiredGeneration } from "../../schemas/generated/desired-generation.js";
import { SchemaValidationError, toIssues } from "../../schemas/schema-error.js";
import * as compiled from "./compiled.js";

interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

interface AgentDocuments {
  "agent-config": AgentConfig;
  "desired-generation": DesiredGeneration;
}

const VALIDATORS: Record<keyof AgentDocuments, CompiledValidator> = {
  "agent-config": compiled.agentConfig as unknown as CompiledValidator,
  "desired-generation": compiled.desiredGeneration as unknown as CompiledValidator,
};

/** Validates against the named schema and returns the document typed, or throws SchemaValidationError. */
export function validateAgentDocument<K extends keyof AgentDocuments>(
  schema: K,
  data: unknown,
  source?: string,
): AgentDocuments[K] {
  const fn = VALIDATORS[schema];
  if (!fn(data)) throw new SchemaValidationError(schema, toIssues(fn.errors), source);
  return data as AgentDocuments[K];
}
