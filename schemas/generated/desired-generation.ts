/* Generated from schemas/desired-generation.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * GET /api/v1/agents/{machineId}/desired: what the machine should run, and when to ask again.
 */
export interface DesiredGeneration {
machineId: string
/**
 * null: keep what runs now
 */
storePath?: (string | null)
rolloutId?: (string | null)
releaseId?: (string | null)
cacheUrl?: (string | null)
confirmWindowMs?: number
healthTimeoutMs?: number
healthChecks?: HealthCheck[]
pollAfterMs: number
}
/**
 * A health check the agent runs after switching a generation.
 */
export interface HealthCheck {
name: string
kind: ("systemd" | "launchd" | "http" | "tcp" | "command")
/**
 * systemd unit (kind systemd)
 */
unit?: string
/**
 * launchd job label (kind launchd)
 */
label?: string
/**
 * URL (kind http)
 */
url?: string
expectStatus?: number
/**
 * regular expression the body must match (kind http)
 */
bodyMatch?: string
insecureTls?: boolean
caFile?: string
/**
 * host (kind tcp)
 */
host?: string
port?: number
/**
 * argv (kind command)
 * 
 * @minItems 1
 */
command?: [string, ...(string)[]]
expectExit?: number
timeoutMs?: number
intervalMs?: number
retries?: number
initialDelayMs?: number
/**
 * consecutive failures that fail the check
 */
failureThreshold?: number
}

export const desiredGenerationSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/desired-generation.schema.json",
  "title": "DesiredGeneration",
  "description": "GET /api/v1/agents/{machineId}/desired: what the machine should run, and when to ask again.",
  "type": "object",
  "required": [
    "machineId",
    "pollAfterMs"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string"
    },
    "storePath": {
      "type": [
        "string",
        "null"
      ],
      "description": "null: keep what runs now"
    },
    "rolloutId": {
      "type": [
        "string",
        "null"
      ]
    },
    "releaseId": {
      "type": [
        "string",
        "null"
      ]
    },
    "cacheUrl": {
      "type": [
        "string",
        "null"
      ]
    },
    "confirmWindowMs": {
      "type": "integer",
      "minimum": 0
    },
    "healthTimeoutMs": {
      "type": "integer",
      "minimum": 0
    },
    "healthChecks": {
      "type": "array",
      "items": {
        "$ref": "health-check.schema.json"
      }
    },
    "pollAfterMs": {
      "type": "integer",
      "minimum": 0
    }
  }
} as const;
