/* Generated from schemas/rollout.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * This interface was referenced by `Rollout`'s JSON-Schema
 * via the `definition` "status".
 */
export type RolloutStatus = ("pending" | "running" | "paused" | "succeeded" | "failed" | "aborted")
/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 * 
 * This interface was referenced by `RolloutSpec`'s JSON-Schema
 * via the `definition` "amount".
 */
export type RolloutAmount = (number | string)
/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 */
export type RolloutAmount1 = (number | string)
/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 */
export type RolloutAmount2 = (number | string)

/**
 * A rollout as the API shows it (GET /api/v1/rollouts/{id}): status, batches with their progress, and optionally hosts.
 */
export interface Rollout {
id: string
releaseId: (string | null)
rollbackOf: (string | null)
/**
 * the rollback started for this rollout
 */
revertRolloutId?: (string | null)
previousReleaseId?: (string | null)
status: RolloutStatus
pauseReason?: ("operator" | "gate-blocked" | "batch-failed" | "inconclusive" | null)
failureReason?: ("batch-failed" | "error-budget" | null)
spec: RolloutSpec
currentBatch: number
targets: number
failedHosts: number
createdAt: string
createdBy: string
startedAt?: (string | null)
finishedAt?: (string | null)
batches: RolloutBatch[]
hosts?: RolloutHost[]
}
/**
 * How a release reaches its targets: batches, thresholds, timeouts and what to do on failure. Batch sizes are cumulative: each entry says how many targets have been reached once that batch is done; a percentage is the ceiling of that share of the targets.
 */
export interface RolloutSpec {
/**
 * canary: default batches ["1", "100%"]; staged: default ["1", "10%", "50%", "100%"]; all-at-once: one batch of every target (batches must be absent)
 */
strategy: ("canary" | "staged" | "all-at-once")
/**
 * cumulative sizes; targets left over after the last entry form one more batch
 * 
 * @minItems 1
 * @maxItems 100
 */
batches?: [RolloutAmount, ...(RolloutAmount)[]]
failureThreshold?: RolloutAmount1
errorBudget?: RolloutAmount2
/**
 * when a batch crosses its threshold: pause for a human, or fail and roll the updated hosts back. Default pause.
 */
onFailure?: ("pause" | "revert")
/**
 * how long a batch must stay healthy before the next one starts. Default 0.
 */
bakeTimeMs?: number
/**
 * time the agent has for its health checks. Default 300000.
 */
healthTimeoutMs?: number
/**
 * time the agent has to confirm after its health checks. A host with no final outcome healthTimeoutMs + confirmWindowMs after assignment counts as failed (unreachable when it never reported). Default 600000.
 */
confirmWindowMs?: number
/**
 * hosts assigned but not yet settled, at most. Default: the batch size.
 */
maxInFlight?: number
targets: RolloutTargets
}
/**
 * which hosts: the union of the tag selector and the named hosts, minus exclusions. The whole fleet only with all: true.
 * 
 * This interface was referenced by `RolloutSpec`'s JSON-Schema
 * via the `definition` "targets".
 */
export interface RolloutTargets {
all?: true
tags?: {
/**
 * hosts carrying every one of these tags
 */
all?: string[]
/**
 * hosts carrying at least one of these tags
 */
any?: string[]
}
/**
 * machine ids or host names
 */
hosts?: string[]
/**
 * machine ids or host names never targeted
 */
exclude?: string[]
}
/**
 * This interface was referenced by `Rollout`'s JSON-Schema
 * via the `definition` "batch".
 */
export interface RolloutBatch {
index: number
amount: string
size: number
phase: ("pending" | "gating" | "blocked" | "deploying" | "baking" | "passed" | "failed" | "inconclusive")
accepted?: boolean
/**
 * assignments made (retries count again)
 */
assigned: number
inFlight: number
confirmed: number
failed: number
inconclusive: number
gateDecisionId?: (string | null)
startedAt?: (string | null)
bakeUntil?: (string | null)
finishedAt?: (string | null)
}
/**
 * This interface was referenced by `Rollout`'s JSON-Schema
 * via the `definition` "host".
 */
export interface RolloutHost {
machineId: string
batch: number
outcome: ("pending" | "fetching" | "applying" | "verifying" | "confirmed" | "failed" | "rolled-back" | "unreachable")
attempt: number
inconclusive: boolean
reason?: (string | null)
storePath?: string
assignedAt?: (string | null)
}

export const rolloutSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout.schema.json",
  "title": "Rollout",
  "description": "A rollout as the API shows it (GET /api/v1/rollouts/{id}): status, batches with their progress, and optionally hosts.",
  "type": "object",
  "required": [
    "id",
    "releaseId",
    "rollbackOf",
    "status",
    "spec",
    "currentBatch",
    "targets",
    "failedHosts",
    "createdAt",
    "createdBy",
    "batches"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string"
    },
    "releaseId": {
      "type": [
        "string",
        "null"
      ]
    },
    "rollbackOf": {
      "type": [
        "string",
        "null"
      ]
    },
    "revertRolloutId": {
      "type": [
        "string",
        "null"
      ],
      "description": "the rollback started for this rollout"
    },
    "previousReleaseId": {
      "type": [
        "string",
        "null"
      ]
    },
    "status": {
      "$ref": "#/$defs/status"
    },
    "pauseReason": {
      "type": [
        "string",
        "null"
      ],
      "enum": [
        "operator",
        "gate-blocked",
        "batch-failed",
        "inconclusive",
        null
      ]
    },
    "failureReason": {
      "type": [
        "string",
        "null"
      ],
      "enum": [
        "batch-failed",
        "error-budget",
        null
      ]
    },
    "spec": {
      "$ref": "rollout-spec.schema.json"
    },
    "currentBatch": {
      "type": "integer",
      "minimum": 0
    },
    "targets": {
      "type": "integer",
      "minimum": 0
    },
    "failedHosts": {
      "type": "integer",
      "minimum": 0
    },
    "createdAt": {
      "type": "string",
      "format": "date-time"
    },
    "createdBy": {
      "type": "string"
    },
    "startedAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "finishedAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "batches": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/batch"
      }
    },
    "hosts": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/host"
      }
    }
  },
  "$defs": {
    "status": {
      "title": "RolloutStatus",
      "type": "string",
      "enum": [
        "pending",
        "running",
        "paused",
        "succeeded",
        "failed",
        "aborted"
      ]
    },
    "batch": {
      "title": "RolloutBatch",
      "type": "object",
      "required": [
        "index",
        "amount",
        "size",
        "phase",
        "assigned",
        "inFlight",
        "confirmed",
        "failed",
        "inconclusive"
      ],
      "additionalProperties": false,
      "properties": {
        "index": {
          "type": "integer",
          "minimum": 0
        },
        "amount": {
          "type": "string"
        },
        "size": {
          "type": "integer",
          "minimum": 0
        },
        "phase": {
          "type": "string",
          "enum": [
            "pending",
            "gating",
            "blocked",
            "deploying",
            "baking",
            "passed",
            "failed",
            "inconclusive"
          ]
        },
        "accepted": {
          "type": "boolean"
        },
        "assigned": {
          "type": "integer",
          "minimum": 0,
          "description": "assignments made (retries count again)"
        },
        "inFlight": {
          "type": "integer",
          "minimum": 0
        },
        "confirmed": {
          "type": "integer",
          "minimum": 0
        },
        "failed": {
          "type": "integer",
          "minimum": 0
        },
        "inconclusive": {
          "type": "integer",
          "minimum": 0
        },
        "gateDecisionId": {
          "type": [
            "string",
            "null"
          ]
        },
        "startedAt": {
          "type": [
            "string",
            "null"
          ],
          "format": "date-time"
        },
        "bakeUntil": {
          "type": [
            "string",
            "null"
          ],
          "format": "date-time"
        },
        "finishedAt": {
          "type": [
            "string",
            "null"
          ],
          "format": "date-time"
        }
      }
    },
    "host": {
      "title": "RolloutHost",
      "type": "object",
      "required": [
        "machineId",
        "batch",
        "outcome",
        "attempt",
        "inconclusive"
      ],
      "additionalProperties": false,
      "properties": {
        "machineId": {
          "type": "string"
        },
        "batch": {
          "type": "integer",
          "minimum": 0
        },
        "outcome": {
          "type": "string",
          "enum": [
            "pending",
            "fetching",
            "applying",
            "verifying",
            "confirmed",
            "failed",
            "rolled-back",
            "unreachable"
          ]
        },
        "attempt": {
          "type": "integer",
          "minimum": 0
        },
        "inconclusive": {
          "type": "boolean"
        },
        "reason": {
          "type": [
            "string",
            "null"
          ]
        },
        "storePath": {
          "type": "string"
        },
        "assignedAt": {
          "type": [
            "string",
            "null"
          ],
          "format": "date-time"
        }
      }
    }
  }
} as const;
