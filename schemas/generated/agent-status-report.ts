/* Generated from schemas/agent-status-report.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/agents/{machineId}/report: the agent's progress on its desired generation.
 */
export interface AgentStatusReport {
machineId: string
rolloutId?: string
storePath?: string
/**
 * host outcome as the agent sees it
 */
state: ("idle" | "fetching" | "applying" | "verifying" | "confirmed" | "failed" | "rolled-back")
agentState?: ("Idle" | "Checking" | "Fetching" | "Applying" | "Verifying" | "RollingBack" | "Reporting")
reason?: string
/**
 * true when a health check could not run
 */
inconclusive?: boolean
/**
 * @maxItems 256
 */
healthChecks?: HealthCheckResult[]
currentStorePath?: string
agentVersion?: string
/**
 * @maxItems 64
 */
tags?: string[]
reportedAt: string
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

export const agentStatusReportSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/agent-status-report.schema.json",
  "title": "AgentStatusReport",
  "description": "POST /api/v1/agents/{machineId}/report: the agent's progress on its desired generation.",
  "type": "object",
  "required": [
    "machineId",
    "state",
    "reportedAt"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    },
    "rolloutId": {
      "type": "string",
      "maxLength": 64
    },
    "storePath": {
      "type": "string",
      "maxLength": 512
    },
    "state": {
      "type": "string",
      "enum": [
        "idle",
        "fetching",
        "applying",
        "verifying",
        "confirmed",
        "failed",
        "rolled-back"
      ],
      "description": "host outcome as the agent sees it"
    },
    "agentState": {
      "type": "string",
      "enum": [
        "Idle",
        "Checking",
        "Fetching",
        "Applying",
        "Verifying",
        "RollingBack",
        "Reporting"
      ]
    },
    "reason": {
      "type": "string",
      "maxLength": 4096
    },
    "inconclusive": {
      "type": "boolean",
      "description": "true when a health check could not run"
    },
    "healthChecks": {
      "type": "array",
      "maxItems": 256,
      "items": {
        "$ref": "health-check-result.schema.json"
      }
    },
    "currentStorePath": {
      "type": "string",
      "maxLength": 512
    },
    "agentVersion": {
      "type": "string",
      "maxLength": 64
    },
    "tags": {
      "type": "array",
      "maxItems": 64,
      "items": {
        "type": "string",
        "maxLength": 64
      }
    },
    "reportedAt": {
      "type": "string",
      "format": "date-time"
    }
  }
} as const;
