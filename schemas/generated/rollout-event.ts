/* Generated from schemas/rollout-event.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * One line of a rollout's history (GET /api/v1/rollouts/{id}/events, also streamed as server-sent events). `rollout watch --json` prints these, one per line.
 */
export interface RolloutEvent {
seq: number
rolloutId: string
at: string
kind: string
batch?: (number | null)
machineId?: (string | null)
message: string
}

export const rolloutEventSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout-event.schema.json",
  "title": "RolloutEvent",
  "description": "One line of a rollout's history (GET /api/v1/rollouts/{id}/events, also streamed as server-sent events). `rollout watch --json` prints these, one per line.",
  "type": "object",
  "required": [
    "seq",
    "rolloutId",
    "at",
    "kind",
    "message"
  ],
  "additionalProperties": false,
  "properties": {
    "seq": {
      "type": "integer",
      "minimum": 1
    },
    "rolloutId": {
      "type": "string"
    },
    "at": {
      "type": "string",
      "format": "date-time"
    },
    "kind": {
      "type": "string"
    },
    "batch": {
      "type": [
        "integer",
        "null"
      ]
    },
    "machineId": {
      "type": [
        "string",
        "null"
      ]
    },
    "message": {
      "type": "string"
    }
  }
} as const;
