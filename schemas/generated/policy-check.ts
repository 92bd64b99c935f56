/* Generated from schemas/policy-check.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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
 * POST /api/v1/policy/check: what the gate would decide now for a release's targets, under the policy in force or a candidate policy. Nothing is stored.
 */
export interface PolicyCheck {
releaseId: string
targets?: RolloutTargets
policy?: Policy
}
/**
 * which hosts: the union of the tag selector and the named hosts, minus exclusions. The whole fleet only with all: true.
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

export const policyCheckSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/policy-check.schema.json",
  "title": "PolicyCheck",
  "description": "POST /api/v1/policy/check: what the gate would decide now for a release's targets, under the policy in force or a candidate policy. Nothing is stored.",
  "type": "object",
  "required": [
    "releaseId"
  ],
  "additionalProperties": false,
  "properties": {
    "releaseId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
    },
    "targets": {
      "$ref": "rollout-spec.schema.json#/$defs/targets"
    },
    "policy": {
      "$ref": "policy.schema.json"
    }
  }
} as const;
