/* Generated from schemas/health-check.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const healthCheckSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/health-check.schema.json",
  "title": "HealthCheck",
  "description": "A health check the agent runs after switching a generation.",
  "type": "object",
  "required": [
    "name",
    "kind"
  ],
  "additionalProperties": false,
  "properties": {
    "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 128
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
    "unit": {
      "type": "string",
      "description": "systemd unit (kind systemd)"
    },
    "label": {
      "type": "string",
      "description": "launchd job label (kind launchd)"
    },
    "url": {
      "type": "string",
      "description": "URL (kind http)"
    },
    "expectStatus": {
      "type": "integer",
      "minimum": 100,
      "maximum": 599,
      "default": 200
    },
    "bodyMatch": {
      "type": "string",
      "description": "regular expression the body must match (kind http)"
    },
    "insecureTls": {
      "type": "boolean",
      "default": false
    },
    "caFile": {
      "type": "string"
    },
    "host": {
      "type": "string",
      "description": "host (kind tcp)"
    },
    "port": {
      "type": "integer",
      "minimum": 1,
      "maximum": 65535
    },
    "command": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "minItems": 1,
      "description": "argv (kind command)"
    },
    "expectExit": {
      "type": "integer",
      "default": 0
    },
    "timeoutMs": {
      "type": "integer",
      "minimum": 1,
      "default": 5000
    },
    "intervalMs": {
      "type": "integer",
      "minimum": 0,
      "default": 1000
    },
    "retries": {
      "type": "integer",
      "minimum": 0,
      "default": 3
    },
    "initialDelayMs": {
      "type": "integer",
      "minimum": 0,
      "default": 0
    },
    "failureThreshold": {
      "type": "integer",
      "minimum": 1,
      "default": 3,
      "description": "consecutive failures that fail the check"
    }
  }
} as const;
