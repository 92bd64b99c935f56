/* Generated from schemas/policy-record.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * default enforcement mode
 */
export type EnforcementMode = ("enforce" | "permissive" | "disabled")
/**
 * This interface was referenced by `Policy`'s JSON-Schema
 * via the `definition` "mode".
 */
export type EnforcementMode1 = ("enforce" | "permissive" | "disabled")

/**
 * GET/PUT /api/v1/policy: the policy in force, its version, and the approved waivers the gate adds to it.
 */
export interface PolicyRecord {
id: (string | null)
version: number
/**
 * no policy was ever set: every control is required, enforced
 */
isDefault: boolean
document: Policy
createdAt: (string | null)
createdBy: (string | null)
waivers?: WaiverRecord[]
}
/**
 * Governance policy: which controls are required, how fresh evidence must be, how strictly to enforce, and the waivers (approved exceptions) in force.
 */
export interface Policy {
version: 1
frameworks?: ("nis2" | "dora" | "iso27001" | "anssi-bp028")[]
anssiLevel?: ("minimal" | "intermediary" | "enhanced" | "high")
nis2Entity?: ("essential" | "important")
/**
 * control ids that must pass; '*' means every control selected by frameworks/level/entity
 */
requiredControls?: string[]
/**
 * reported, never blocking
 */
advisoryControls?: string[]
freshness?: {
evalMaxAgeHours?: number
runtimeMaxAgeHours?: number
}
mode?: EnforcementMode
/**
 * first match wins: by environment name or by tag
 */
modes?: {
environment?: string
tag?: string
mode: EnforcementMode1
}[]
waivers?: Waiver[]
}
/**
 * This interface was referenced by `Policy`'s JSON-Schema
 * via the `definition` "waiver".
 */
export interface Waiver {
id: string
controlId: string
/**
 * empty or absent with no tags: every host
 */
hosts?: string[]
tags?: string[]
rationale: string
requestedBy: string
approvedBy: string
approvedAt?: string
expiresAt: string
}
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

export const policyRecordSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/policy-record.schema.json",
  "title": "PolicyRecord",
  "description": "GET/PUT /api/v1/policy: the policy in force, its version, and the approved waivers the gate adds to it.",
  "type": "object",
  "required": [
    "id",
    "version",
    "isDefault",
    "document",
    "createdAt",
    "createdBy"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": [
        "string",
        "null"
      ]
    },
    "version": {
      "type": "integer",
      "minimum": 0
    },
    "isDefault": {
      "type": "boolean",
      "description": "no policy was ever set: every control is required, enforced"
    },
    "document": {
      "$ref": "policy.schema.json"
    },
    "createdAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "createdBy": {
      "type": [
        "string",
        "null"
      ]
    },
    "waivers": {
      "type": "array",
      "items": {
        "$ref": "waiver-record.schema.json"
      }
    }
  }
} as const;
