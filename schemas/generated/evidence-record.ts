/* Generated from schemas/evidence-record.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * One piece of evidence. sha256 is the SHA-256 (hex) of the RFC 8785 canonical JSON of the record without sha256 and signature; signature is Ed25519 over that same digest's canonical bytes.
 */
export interface EvidenceRecord {
id: string
kind: ("control-result" | "health-check" | "runtime-report" | "gate-decision" | "sbom" | "release" | "rollout-event" | "organisational")
source: ("eval" | "runtime" | "control-plane" | "cli")
/**
 * What the evidence is about.
 */
subject: {
host?: string
machineId?: string
releaseId?: string
rolloutId?: string
controlId?: string
}
collectedAt: string
/**
 * The evidence itself, e.g. a ControlResult.
 */
payload: unknown
sha256: string
signature?: {
alg: "Ed25519"
/**
 * SHA-256 (hex) of the raw public key, first 16 characters.
 */
keyId: string
value: string
}
}

export const evidenceRecordSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/evidence-record.schema.json",
  "title": "EvidenceRecord",
  "description": "One piece of evidence. sha256 is the SHA-256 (hex) of the RFC 8785 canonical JSON of the record without sha256 and signature; signature is Ed25519 over that same digest's canonical bytes.",
  "type": "object",
  "required": [
    "id",
    "kind",
    "source",
    "subject",
    "collectedAt",
    "payload",
    "sha256"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string",
      "pattern": "^evd_[0-9A-Za-z]+$",
      "maxLength": 64
    },
    "kind": {
      "type": "string",
      "enum": [
        "control-result",
        "health-check",
        "runtime-report",
        "gate-decision",
        "sbom",
        "release",
        "rollout-event",
        "organisational"
      ]
    },
    "source": {
      "type": "string",
      "enum": [
        "eval",
        "runtime",
        "control-plane",
        "cli"
      ]
    },
    "subject": {
      "type": "object",
      "description": "What the evidence is about.",
      "additionalProperties": false,
      "properties": {
        "host": {
          "type": "string"
        },
        "machineId": {
          "type": "string"
        },
        "releaseId": {
          "type": "string"
        },
        "rolloutId": {
          "type": "string"
        },
        "controlId": {
          "type": "string"
        }
      }
    },
    "collectedAt": {
      "type": "string",
      "format": "date-time"
    },
    "payload": {
      "description": "The evidence itself, e.g. a ControlResult.",
      "tsType": "unknown"
    },
    "sha256": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$"
    },
    "signature": {
      "type": "object",
      "required": [
        "alg",
        "keyId",
        "value"
      ],
      "additionalProperties": false,
      "properties": {
        "alg": {
          "const": "Ed25519"
        },
        "keyId": {
          "type": "string",
          "description": "SHA-256 (hex) of the raw public key, first 16 characters."
        },
        "value": {
          "type": "string",
          "contentEncoding": "base64"
        }
      }
    }
  }
} as const;
