/* Generated from schemas/agent-confirm.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/agents/{machineId}/confirm: the agent confirms the generation it switched to passed its health checks. Answered 200 when accepted, 409 when the generation is no longer desired (the agent then rolls back).
 */
export interface AgentConfirm {
machineId: string
rolloutId?: (string | null)
storePath: string
/**
 * @maxItems 256
 */
healthChecks?: HealthCheckResult[]
}
export interface HealthCheckResult {
name: string
kind: ("systemd" | "launchd" | "http" | "tcp" | "command")
/**
 * error: the check could not run (counts as inconclusive)
 */
status: ("pass" | "fail" | "error")
message?: string
attempts: number
startedAt: string
finishedAt: string
}

export const agentConfirmSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/agent-confirm.schema.json",
  "title": "AgentConfirm",
  "description": "POST /api/v1/agents/{machineId}/confirm: the agent confirms the generation it switched to passed its health checks. Answered 200 when accepted, 409 when the generation is no longer desired (the agent then rolls back).",
  "type": "object",
  "required": [
    "machineId",
    "storePath"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string"
    },
    "rolloutId": {
      "type": [
        "string",
        "null"
      ]
    },
    "storePath": {
      "type": "string",
      "maxLength": 512
    },
    "healthChecks": {
      "type": "array",
      "maxItems": 256,
      "items": {
        "$ref": "health-check-result.schema.json"
      }
    }
  }
} as const;
