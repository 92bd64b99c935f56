/* Generated from schemas/policy-check-result.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * This interface was referenced by `GateDecision`'s JSON-Schema
 * via the `definition` "verdict".
 */
export type GateVerdictKind = ("allow" | "warn" | "block")
/**
 * the strictest mode among the targets (enforce > permissive > disabled)
 */
export type EnforcementMode = ("enforce" | "permissive" | "disabled")
export type EnforcementMode1 = ("enforce" | "permissive" | "disabled")

/**
 * The answer to a policy check: problems in the policy itself, and the gate's decision for the release.
 */
export interface PolicyCheckResult {
releaseId: string
policyVersion?: (number | null)
policyIssues: {
path: string
message: string
}[]
decision: GateDecision
}
/**
 * The governance gate's verdict on a set of targets: allow, warn (permissive mode found problems) or block (enforce mode found problems), with every reason (control, host, status, evidence id) that led to it.
 */
export interface GateDecision {
/**
 * assigned by whoever stores the decision; the pure gate does not mint ids
 */
id?: string
decision: GateVerdictKind
mode: EnforcementMode
phase: ("pre-rollout" | "pre-batch")
decidedAt: string
/**
 * SHA-256 of the RFC 8785 canonical JSON of the normalised policy the gate applied
 */
policySha256?: string
reasons: GateReason[]
/**
 * per target host: the mode that applied and its own verdict
 */
targets: {
host: string
mode: EnforcementMode1
decision: GateVerdictKind
}[]
counts: {
targets: number
/**
 * required (control, host) pairs examined
 */
required: number
pass: number
fail: number
waived: number
missing: number
stale: number
error: number
drift: number
notApplicable: number
/**
 * advisory controls that failed: reported, never blocking
 */
advisoryFailed: number
}
}
/**
 * This interface was referenced by `GateDecision`'s JSON-Schema
 * via the `definition` "reason".
 */
export interface GateReason {
controlId: string
host: string
/**
 * the control status behind the reason; missing when no result exists
 */
status: ("pass" | "fail" | "error" | "not-applicable" | "waived" | "missing")
evidenceId?: string
source?: ("eval" | "runtime")
collectedAt?: string
why: ("failed" | "missing-evidence" | "stale-evidence" | "error" | "waived" | "drift")
waiverId?: string
mode: EnforcementMode1
/**
 * true when this reason alone blocks (enforce) or warns (permissive); false for waived and disabled
 */
blocking: boolean
message: string
}

export const policyCheckResultSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/policy-check-result.schema.json",
  "title": "PolicyCheckResult",
  "description": "The answer to a policy check: problems in the policy itself, and the gate's decision for the release.",
  "type": "object",
  "required": [
    "releaseId",
    "policyIssues",
    "decision"
  ],
  "additionalProperties": false,
  "properties": {
    "releaseId": {
      "type": "string"
    },
    "policyVersion": {
      "type": [
        "integer",
        "null"
      ]
    },
    "policyIssues": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "path",
          "message"
        ],
        "additionalProperties": false,
        "properties": {
          "path": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        }
      }
    },
    "decision": {
      "$ref": "gate-decision.schema.json"
    }
  }
} as const;
