/* Generated from schemas/ssh-deploy-result.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * What `nixfleet deploy --ssh` and `nixfleet rollback --ssh` did, per host (their --json output).
 */
export interface SshDeployResult {
operation: ("deploy" | "rollback")
startedAt: string
finishedAt: string
hosts: {
/**
 * host name
 */
host: string
/**
 * USER@HOST[:PORT]
 */
target: string
/**
 * deployed: on the new generation and healthy; rolled-back: back on the previous generation (a failed deploy, or a successful rollback command); failed: neither
 */
status: ("deployed" | "rolled-back" | "failed")
message: string
/**
 * the store path deployed (deploy) or returned to (rollback)
 */
storePath?: string
/**
 * profile generation the host is on at the end
 */
generation?: number
previousGeneration?: (number | null)
previousStorePath?: (string | null)
pathsCopied?: number
steps: {
step: ("resolve" | "copy" | "inspect" | "set-profile" | "activate" | "health" | "rollback" | "report")
status: ("ok" | "failed" | "skipped")
durationMs: number
message?: string
}[]
healthChecks: HealthCheckResult[]
healthVerdict?: ("passed" | "failed" | "inconclusive" | "none")
reported?: {
url: string
ok: boolean
status?: number
message?: string
}
}[]
summary: {
total: number
deployed: number
rolledBack: number
failed: number
}
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

export const sshDeployResultSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/ssh-deploy-result.schema.json",
  "title": "SshDeployResult",
  "description": "What `nixfleet deploy --ssh` and `nixfleet rollback --ssh` did, per host (their --json output).",
  "type": "object",
  "required": [
    "operation",
    "startedAt",
    "finishedAt",
    "hosts",
    "summary"
  ],
  "additionalProperties": false,
  "properties": {
    "operation": {
      "type": "string",
      "enum": [
        "deploy",
        "rollback"
      ]
    },
    "startedAt": {
      "type": "string",
      "format": "date-time"
    },
    "finishedAt": {
      "type": "string",
      "format": "date-time"
    },
    "hosts": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "host",
          "target",
          "status",
          "message",
          "steps",
          "healthChecks"
        ],
        "additionalProperties": false,
        "properties": {
          "host": {
            "type": "string",
            "description": "host name"
          },
          "target": {
            "type": "string",
            "description": "USER@HOST[:PORT]"
          },
          "status": {
            "type": "string",
            "enum": [
              "deployed",
              "rolled-back",
              "failed"
            ],
            "description": "deployed: on the new generation and healthy; rolled-back: back on the previous generation (a failed deploy, or a successful rollback command); failed: neither"
          },
          "message": {
            "type": "string"
          },
          "storePath": {
            "type": "string",
            "description": "the store path deployed (deploy) or returned to (rollback)"
          },
          "generation": {
            "type": "integer",
            "description": "profile generation the host is on at the end"
          },
          "previousGeneration": {
            "type": [
              "integer",
              "null"
            ]
          },
          "previousStorePath": {
            "type": [
              "string",
              "null"
            ]
          },
          "pathsCopied": {
            "type": "integer",
            "minimum": 0
          },
          "steps": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "step",
                "status",
                "durationMs"
              ],
              "additionalProperties": false,
              "properties": {
                "step": {
                  "type": "string",
                  "enum": [
                    "resolve",
                    "copy",
                    "inspect",
                    "set-profile",
                    "activate",
                    "health",
                    "rollback",
                    "report"
                  ]
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "ok",
                    "failed",
                    "skipped"
                  ]
                },
                "durationMs": {
                  "type": "integer",
                  "minimum": 0
                },
                "message": {
                  "type": "string"
                }
              }
            }
          },
          "healthChecks": {
            "type": "array",
            "items": {
              "$ref": "health-check-result.schema.json"
            }
          },
          "healthVerdict": {
            "type": "string",
            "enum": [
              "passed",
              "failed",
              "inconclusive",
              "none"
            ]
          },
          "reported": {
            "type": "object",
            "required": [
              "url",
              "ok"
            ],
            "additionalProperties": false,
            "properties": {
              "url": {
                "type": "string"
              },
              "ok": {
                "type": "boolean"
              },
              "status": {
                "type": "integer"
              },
              "message": {
                "type": "string"
              }
            }
          }
        }
      }
    },
    "summary": {
      "type": "object",
      "required": [
        "total",
        "deployed",
        "rolledBack",
        "failed"
      ],
      "additionalProperties": false,
      "properties": {
        "total": {
          "type": "integer",
          "minimum": 0
        },
        "deployed": {
          "type": "integer",
          "minimum": 0
        },
        "rolledBack": {
          "type": "integer",
          "minimum": 0
        },
        "failed": {
          "type": "integer",
          "minimum": 0
        }
      }
    }
  }
} as const;
