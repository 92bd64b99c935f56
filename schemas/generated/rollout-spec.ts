/* Generated from schemas/rollout-spec.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const rolloutSpecSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout-spec.schema.json",
  "title": "RolloutSpec",
  "description": "How a release reaches its targets: batches, thresholds, timeouts and what to do on failure. Batch sizes are cumulative: each entry says how many targets have been reached once that batch is done; a percentage is the ceiling of that share of the targets.",
  "type": "object",
  "required": [
    "strategy",
    "targets"
  ],
  "additionalProperties": false,
  "properties": {
    "strategy": {
      "type": "string",
      "enum": [
        "canary",
        "staged",
        "all-at-once"
      ],
      "description": "canary: default batches [\"1\", \"100%\"]; staged: default [\"1\", \"10%\", \"50%\", \"100%\"]; all-at-once: one batch of every target (batches must be absent)"
    },
    "batches": {
      "type": "array",
      "minItems": 1,
      "maxItems": 100,
      "items": {
        "$ref": "#/$defs/amount"
      },
      "description": "cumulative sizes; targets left over after the last entry form one more batch"
    },
    "failureThreshold": {
      "$ref": "#/$defs/amount",
      "description": "failed hosts a batch tolerates (a percentage of the batch, rounded down); one more crosses it. Default \"0\"."
    },
    "errorBudget": {
      "$ref": "#/$defs/amount",
      "description": "failed hosts the whole rollout tolerates (a percentage of all targets, rounded down); one more fails the rollout. Default: unlimited (only batch thresholds apply)."
    },
    "onFailure": {
      "type": "string",
      "enum": [
        "pause",
        "revert"
      ],
      "description": "when a batch crosses its threshold: pause for a human, or fail and roll the updated hosts back. Default pause."
    },
    "bakeTimeMs": {
      "type": "integer",
      "minimum": 0,
      "description": "how long a batch must stay healthy before the next one starts. Default 0."
    },
    "healthTimeoutMs": {
      "type": "integer",
      "minimum": 1,
      "description": "time the agent has for its health checks. Default 300000."
    },
    "confirmWindowMs": {
      "type": "integer",
      "minimum": 1,
      "description": "time the agent has to confirm after its health checks. A host with no final outcome healthTimeoutMs + confirmWindowMs after assignment counts as failed (unreachable when it never reported). Default 600000."
    },
    "maxInFlight": {
      "type": "integer",
      "minimum": 1,
      "description": "hosts assigned but not yet settled, at most. Default: the batch size."
    },
    "targets": {
      "$ref": "#/$defs/targets"
    }
  },
  "$defs": {
    "amount": {
      "title": "RolloutAmount",
      "description": "a host count (\"3\" or 3) or a percentage (\"12.5%\", at most three decimals, at most 100%)",
      "oneOf": [
        {
          "type": "integer",
          "minimum": 0
        },
        {
          "type": "string",
          "pattern": "^(?:[0-9]{1,9}|(?:100(?:\\.0{1,3})?|[0-9]{1,2}(?:\\.[0-9]{1,3})?)%)$"
        }
      ]
    },
    "targets": {
      "title": "RolloutTargets",
      "description": "which hosts: the union of the tag selector and the named hosts, minus exclusions. The whole fleet only with all: true.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "all": {
          "const": true
        },
        "tags": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "all": {
              "type": "array",
              "items": {
                "type": "string",
                "minLength": 1
              },
              "description": "hosts carrying every one of these tags"
            },
            "any": {
              "type": "array",
              "items": {
                "type": "string",
                "minLength": 1
              },
              "description": "hosts carrying at least one of these tags"
            }
          }
        },
        "hosts": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "description": "machine ids or host names"
        },
        "exclude": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "description": "machine ids or host names never targeted"
        }
      }
    }
  }
} as const;
