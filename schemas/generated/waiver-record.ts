/* Generated from schemas/waiver-record.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * A waiver as the API shows it, with its state at the time of the answer.
 */
export interface WaiverRecord {
id: string
controlId: string
hosts: string[]
tags: string[]
rationale: string
requestedBy: string
requestedAt: string
approvedBy: (string | null)
approvedAt: (string | null)
expiresAt: string
revokedBy: (string | null)
revokedAt: (string | null)
revokeReason?: (string | null)
/**
 * requested: waiting for an admin other than the requester; active: counts in the gate now
 */
state: ("requested" | "active" | "expired" | "revoked")
}

export const waiverRecordSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/waiver-record.schema.json",
  "title": "WaiverRecord",
  "description": "A waiver as the API shows it, with its state at the time of the answer.",
  "type": "object",
  "required": [
    "id",
    "controlId",
    "hosts",
    "tags",
    "rationale",
    "requestedBy",
    "requestedAt",
    "approvedBy",
    "approvedAt",
    "expiresAt",
    "revokedBy",
    "revokedAt",
    "state"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string"
    },
    "controlId": {
      "type": "string"
    },
    "hosts": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "tags": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "rationale": {
      "type": "string"
    },
    "requestedBy": {
      "type": "string"
    },
    "requestedAt": {
      "type": "string",
      "format": "date-time"
    },
    "approvedBy": {
      "type": [
        "string",
        "null"
      ]
    },
    "approvedAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "expiresAt": {
      "type": "string",
      "format": "date-time"
    },
    "revokedBy": {
      "type": [
        "string",
        "null"
      ]
    },
    "revokedAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "revokeReason": {
      "type": [
        "string",
        "null"
      ]
    },
    "state": {
      "type": "string",
      "enum": [
        "requested",
        "active",
        "expired",
        "revoked"
      ],
      "description": "requested: waiting for an admin other than the requester; active: counts in the gate now"
    }
  }
} as const;
