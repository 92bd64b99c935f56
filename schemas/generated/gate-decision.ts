/* Generated from schemas/gate-decision.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const gateDecisionSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/gate-decision.schema.json",
  "title": "GateDecision",
  "description": "The governance gate's verdict on a set of targets: allow, warn (permissive mode found problems) or block (enforce mode found problems), with every reason (control, host, status, evidence id) that led to it.",
  "type": "object",
  "required": [
    "decision",
    "mode",
    "phase",
    "decidedAt",
    "reasons",
    "targets",
    "counts"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string",
      "pattern": "^gat_[0-9A-Za-z]+$",
      "description": "assigned by whoever stores the decision; the pure gate does not mint ids"
    },
    "decision": {
      "$ref": "#/$defs/verdict"
    },
    "mode": {
      "$ref": "policy.schema.json#/$defs/mode",
      "description": "the strictest mode among the targets (enforce > permissive > disabled)"
    },
    "phase": {
      "type": "string",
      "enum": [
        "pre-rollout",
        "pre-batch"
      ]
    },
    "decidedAt": {
      "type": "string",
      "format": "date-time"
    },
    "policySha256": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$",
      "description": "SHA-256 of the RFC 8785 canonical JSON of the normalised policy the gate applied"
    },
    "reasons": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/reason"
      }
    },
    "targets": {
      "type": "array",
      "description": "per target host: the mode that applied and its own verdict",
      "items": {
        "type": "object",
        "required": [
          "host",
          "mode",
          "decision"
        ],
        "additionalProperties": false,
        "properties": {
          "host": {
            "type": "string",
            "minLength": 1
          },
          "mode": {
            "$ref": "policy.schema.json#/$defs/mode"
          },
          "decision": {
            "$ref": "#/$defs/verdict"
          }
        }
      }
    },
    "counts": {
      "type": "object",
      "required": [
        "targets",
        "required",
        "pass",
        "fail",
        "waived",
        "missing",
        "stale",
        "error",
        "drift",
        "notApplicable",
        "advisoryFailed"
      ],
      "additionalProperties": false,
      "properties": {
        "targets": {
          "type": "integer",
          "minimum": 0
        },
        "required": {
          "type": "integer",
          "minimum": 0,
          "description": "required (control, host) pairs examined"
        },
        "pass": {
          "type": "integer",
          "minimum": 0
        },
        "fail": {
          "type": "integer",
          "minimum": 0
        },
        "waived": {
          "type": "integer",
          "minimum": 0
        },
        "missing": {
          "type": "integer",
          "minimum": 0
        },
        "stale": {
          "type": "integer",
          "minimum": 0
        },
        "error": {
          "type": "integer",
          "minimum": 0
        },
        "drift": {
          "type": "integer",
          "minimum": 0
        },
        "notApplicable": {
          "type": "integer",
          "minimum": 0
        },
        "advisoryFailed": {
          "type": "integer",
          "minimum": 0,
          "description": "advisory controls that failed: reported, never blocking"
        }
      }
    }
  },
  "$defs": {
    "verdict": {
      "title": "GateVerdictKind",
      "type": "string",
      "enum": [
        "allow",
        "warn",
        "block"
      ]
    },
    "reason": {
      "title": "GateReason",
      "type": "object",
      "required": [
        "controlId",
        "host",
        "status",
        "why",
        "mode",
        "blocking",
        "message"
      ],
      "additionalProperties": false,
      "properties": {
        "controlId": {
          "type": "string",
          "minLength": 1
        },
        "host": {
          "type": "string",
          "minLength": 1
        },
        "status": {
          "type": "string",
          "enum": [
            "pass",
            "fail",
            "error",
            "not-applicable",
            "waived",
            "missing"
          ],
          "description": "the control status behind the reason; missing when no result exists"
        },
        "evidenceId": {
          "type": "string",
          "pattern": "^evd_[0-9A-Za-z]+$"
        },
        "source": {
          "type": "string",
          "enum": [
            "eval",
            "runtime"
          ]
        },
        "collectedAt": {
          "type": "string",
          "format": "date-time"
        },
        "why": {
          "type": "string",
          "enum": [
            "failed",
            "missing-evidence",
            "stale-evidence",
            "error",
            "waived",
            "drift"
          ]
        },
        "waiverId": {
          "type": "string"
        },
        "mode": {
          "$ref": "policy.schema.json#/$defs/mode"
        },
        "blocking": {
          "type": "boolean",
          "description": "true when this reason alone blocks (enforce) or warns (permissive); false for waived and disabled"
        },
        "message": {
          "type": "string"
        }
      }
    }
  }
} as const;
