/* Generated from schemas/rollout-plan.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/rollouts/plan: what starting would do — batches in order and the governance gate's decision — without starting anything. Start with the same rolloutId to get exactly these batches.
 */
export interface RolloutPlan {
rolloutId: string
releaseId: (string | null)
rollbackOf: (string | null)
targets: number
batches: {
index: number
amount: string
cumulative: number
hosts: string[]
}[]
gate: {
allow: boolean
/**
 * the governance gate's decision with its reasons
 */
decision: unknown
}
/**
 * targets already in another active rollout (starting would answer 409)
 */
conflicts: {
machineId: string
rolloutId: string
}[]
}

export const rolloutPlanSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout-plan.schema.json",
  "title": "RolloutPlan",
  "description": "POST /api/v1/rollouts/plan: what starting would do — batches in order and the governance gate's decision — without starting anything. Start with the same rolloutId to get exactly these batches.",
  "type": "object",
  "required": [
    "rolloutId",
    "releaseId",
    "rollbackOf",
    "batches",
    "targets",
    "gate",
    "conflicts"
  ],
  "additionalProperties": false,
  "properties": {
    "rolloutId": {
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
    "targets": {
      "type": "integer",
      "minimum": 0
    },
    "batches": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "index",
          "amount",
          "cumulative",
          "hosts"
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
          "cumulative": {
            "type": "integer",
            "minimum": 0
          },
          "hosts": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      }
    },
    "gate": {
      "type": "object",
      "required": [
        "allow",
        "decision"
      ],
      "additionalProperties": false,
      "properties": {
        "allow": {
          "type": "boolean"
        },
        "decision": {
          "description": "the governance gate's decision with its reasons",
          "tsType": "unknown"
        }
      }
    },
    "conflicts": {
      "type": "array",
      "description": "targets already in another active rollout (starting would answer 409)",
      "items": {
        "type": "object",
        "required": [
          "machineId",
          "rolloutId"
        ],
        "additionalProperties": false,
        "properties": {
          "machineId": {
            "type": "string"
          },
          "rolloutId": {
            "type": "string"
          }
        }
      }
    }
  }
} as const;
