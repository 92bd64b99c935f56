/* Generated from schemas/desired-generation-set.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * PUT /api/v1/machines/{id}/desired (and the setDesiredGeneration service the scheduler calls): what the machine should run. storePath null means keep what runs now.
 */
export interface DesiredGenerationSet {
storePath: (string | null)
releaseId?: (string | null)
rolloutId?: (string | null)
cacheUrl?: (string | null)
confirmWindowMs?: number
healthTimeoutMs?: number
/**
 * @maxItems 64
 */
healthChecks?: HealthCheck[]
pollAfterMs?: number
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

export const desiredGenerationSetSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/desired-generation-set.schema.json",
  "title": "DesiredGenerationSet",
  "description": "PUT /api/v1/machines/{id}/desired (and the setDesiredGeneration service the scheduler calls): what the machine should run. storePath null means keep what runs now.",
  "type": "object",
  "required": [
    "storePath"
  ],
  "additionalProperties": false,
  "properties": {
    "storePath": {
      "type": [
        "string",
        "null"
      ],
      "pattern": "^/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+$",
      "maxLength": 512
    },
    "releaseId": {
      "type": [
        "string",
        "null"
      ],
      "maxLength": 64
    },
    "rolloutId": {
      "type": [
        "string",
        "null"
      ],
      "maxLength": 64
    },
    "cacheUrl": {
      "type": [
        "string",
        "null"
      ],
      "maxLength": 1024
    },
    "confirmWindowMs": {
      "type": "integer",
      "minimum": 0,
      "maximum": 86400000
    },
    "healthTimeoutMs": {
      "type": "integer",
      "minimum": 0,
      "maximum": 86400000
    },
    "healthChecks": {
      "type": "array",
      "maxItems": 64,
      "items": {
        "$ref": "health-check.schema.json"
      }
    },
    "pollAfterMs": {
      "type": "integer",
      "minimum": 100,
      "maximum": 86400000
    }
  }
} as const;
