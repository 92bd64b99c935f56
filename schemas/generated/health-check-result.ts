/* Generated from schemas/health-check-result.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const healthCheckResultSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/health-check-result.schema.json",
  "title": "HealthCheckResult",
  "type": "object",
  "required": [
    "name",
    "kind",
    "status",
    "startedAt",
    "finishedAt",
    "attempts"
  ],
  "additionalProperties": false,
  "properties": {
    "name": {
      "type": "string"
    },
    "kind": {
      "type": "string",
      "enum": [
        "systemd",
        "launchd",
        "http",
        "tcp",
        "command"
      ]
    },
    "status": {
      "type": "string",
      "enum": [
        "pass",
        "fail",
        "error"
      ],
      "description": "error: the check could not run (counts as inconclusive)"
    },
    "message": {
      "type": "string"
    },
    "attempts": {
      "type": "integer",
      "minimum": 0
    },
    "startedAt": {
      "type": "string",
      "format": "date-time"
    },
    "finishedAt": {
      "type": "string",
      "format": "date-time"
    }
  }
} as const;
