/* Generated from schemas/evidence-batch.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/agents/{machineId}/evidence: a batch of runtime items. Each item carries an idempotency key; an item whose key was seen before is acknowledged and not stored again.
 */
export interface EvidenceBatch {
machineId: string
/**
 * @minItems 1
 * @maxItems 5000
 */
items: [{
idempotencyKey: string
kind: ("runtime-report" | "health-check" | "control-result")
collectedAt: string
payload: {

}
}, ...({
idempotencyKey: string
kind: ("runtime-report" | "health-check" | "control-result")
collectedAt: string
payload: {

}
})[]]
/**
 * items the agent's bounded on-disk outbox has dropped (oldest first) since its state file was created; lets the control plane see evidence gaps
 */
outboxDropped?: number
}

export const evidenceBatchSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/evidence-batch.schema.json",
  "title": "EvidenceBatch",
  "description": "POST /api/v1/agents/{machineId}/evidence: a batch of runtime items. Each item carries an idempotency key; an item whose key was seen before is acknowledged and not stored again.",
  "type": "object",
  "required": [
    "machineId",
    "items"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string"
    },
    "items": {
      "type": "array",
      "minItems": 1,
      "maxItems": 5000,
      "items": {
        "type": "object",
        "required": [
          "idempotencyKey",
          "kind",
          "collectedAt",
          "payload"
        ],
        "additionalProperties": false,
        "properties": {
          "idempotencyKey": {
            "type": "string",
            "minLength": 8,
            "maxLength": 128
          },
          "kind": {
            "type": "string",
            "enum": [
              "runtime-report",
              "health-check",
              "control-result"
            ]
          },
          "collectedAt": {
            "type": "string",
            "format": "date-time"
          },
          "payload": {
            "type": "object"
          }
        }
      }
    },
    "outboxDropped": {
      "type": "integer",
      "minimum": 0,
      "description": "items the agent's bounded on-disk outbox has dropped (oldest first) since its state file was created; lets the control plane see evidence gaps"
    }
  }
} as const;
