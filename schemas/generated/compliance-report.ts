/* Generated from schemas/compliance-report.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "framework".
 */
export type FrameworkId = ("nis2" | "dora" | "iso27001" | "anssi-bp028")
/**
 * This interface was referenced by `GateDecision`'s JSON-Schema
 * via the `definition` "verdict".
 */
export type GateVerdictKind = ("allow" | "warn" | "block")
/**
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "status".
 */
export type ControlStatus = ("pass" | "fail" | "error" | "not-applicable" | "waived")
/**
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "severity".
 */
export type Severity = ("low" | "medium" | "high" | "critical")
/**
 * the strictest mode among the targets (enforce > permissive > disabled)
 */
export type EnforcementMode = ("enforce" | "permissive" | "disabled")
export type EnforcementMode1 = ("enforce" | "permissive" | "disabled")

/**
 * The JSON output of `nixfleet compliance-check`: what was checked, against which profile, every control result with its requirement mappings and evidence id, summaries per host and per NIS2 Art. 21(2) point, and the exit decision.
 */
export interface ComplianceReport {
generator: {
name: "nixfleet"
version: string
}
generatedAt: string
inputs: {
kind: ("facts" | "flake")
/**
 * the facts file ("-" for stdin) or the flake reference
 */
source: string
hosts: string[]
/**
 * the policy file, when one was given
 */
policy?: string
policySha256?: string
}
profile: {
frameworks: FrameworkId[]
level?: ("minimal" | "intermediary" | "enhanced" | "high")
entity?: ("essential" | "important")
/**
 * number of controls selected
 */
controls: number
}
summary: {
totals: StatusCounts
hosts: {
host: string
counts: StatusCounts
decision: GateVerdictKind
}[]
/**
 * one entry per NIS2 Art. 21(2) point (a)-(j) and Art. 23
 */
nis2: {
requirement: string
title: string
counts: StatusCounts
controls: string[]
organisational: boolean
/**
 * present when the point (or part of it) is an organisational measure: evidence by document
 */
evidenceByDocument?: string
}[]
}
results: ControlResult[]
organisationalMeasures: {
framework: "nis2"
requirement: string
title: string
kind: "organisational measure: evidence by document"
evidenceByDocument: string
technicalControls: string[]
}[]
/**
 * the evidence records behind results[].evidenceId (sealed; signed when a key was given)
 */
evidence?: EvidenceRecord[]
decision: GateDecision
exitCode: (0 | 1)
}
/**
 * This interface was referenced by `ComplianceReport`'s JSON-Schema
 * via the `definition` "counts".
 */
export interface StatusCounts {
pass: number
fail: number
error: number
notApplicable: number
waived: number
total: number
}
/**
 * The outcome of one control on one host, from eval-time facts or a runtime report.
 */
export interface ControlResult {
controlId: string
title?: string
host: string
status: ControlStatus
source: ("eval" | "runtime")
severity: Severity
/**
 * The value found (any JSON value; null when absent).
 */
observed: unknown
/**
 * The value or condition required.
 */
expected: unknown
message: string
remediation?: string
mappings: RequirementMapping[]
waiver?: WaiverRef
collectedAt?: string
evidenceId?: string
}
/**
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "mapping".
 */
export interface RequirementMapping {
framework: FrameworkId
requirement: string
}
/**
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "waiverRef".
 */
export interface WaiverRef {
id: string
rationale: string
approver: string
expiresAt: string
}
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

export const complianceReportSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/compliance-report.schema.json",
  "title": "ComplianceReport",
  "description": "The JSON output of `nixfleet compliance-check`: what was checked, against which profile, every control result with its requirement mappings and evidence id, summaries per host and per NIS2 Art. 21(2) point, and the exit decision.",
  "type": "object",
  "required": [
    "generator",
    "generatedAt",
    "inputs",
    "profile",
    "summary",
    "results",
    "organisationalMeasures",
    "decision",
    "exitCode"
  ],
  "additionalProperties": false,
  "properties": {
    "generator": {
      "type": "object",
      "required": [
        "name",
        "version"
      ],
      "additionalProperties": false,
      "properties": {
        "name": {
          "const": "nixfleet"
        },
        "version": {
          "type": "string"
        }
      }
    },
    "generatedAt": {
      "type": "string",
      "format": "date-time"
    },
    "inputs": {
      "type": "object",
      "required": [
        "kind",
        "source",
        "hosts"
      ],
      "additionalProperties": false,
      "properties": {
        "kind": {
          "type": "string",
          "enum": [
            "facts",
            "flake"
          ]
        },
        "source": {
          "type": "string",
          "description": "the facts file (\"-\" for stdin) or the flake reference"
        },
        "hosts": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "policy": {
          "type": "string",
          "description": "the policy file, when one was given"
        },
        "policySha256": {
          "type": "string",
          "pattern": "^[0-9a-f]{64}$"
        }
      }
    },
    "profile": {
      "type": "object",
      "required": [
        "frameworks",
        "controls"
      ],
      "additionalProperties": false,
      "properties": {
        "frameworks": {
          "type": "array",
          "items": {
            "$ref": "control-result.schema.json#/$defs/framework"
          }
        },
        "level": {
          "type": "string",
          "enum": [
            "minimal",
            "intermediary",
            "enhanced",
            "high"
          ]
        },
        "entity": {
          "type": "string",
          "enum": [
            "essential",
            "important"
          ]
        },
        "controls": {
          "type": "integer",
          "minimum": 0,
          "description": "number of controls selected"
        }
      }
    },
    "summary": {
      "type": "object",
      "required": [
        "totals",
        "hosts",
        "nis2"
      ],
      "additionalProperties": false,
      "properties": {
        "totals": {
          "$ref": "#/$defs/counts"
        },
        "hosts": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "host",
              "counts",
              "decision"
            ],
            "additionalProperties": false,
            "properties": {
              "host": {
                "type": "string"
              },
              "counts": {
                "$ref": "#/$defs/counts"
              },
              "decision": {
                "$ref": "gate-decision.schema.json#/$defs/verdict"
              }
            }
          }
        },
        "nis2": {
          "type": "array",
          "description": "one entry per NIS2 Art. 21(2) point (a)-(j) and Art. 23",
          "items": {
            "type": "object",
            "required": [
              "requirement",
              "title",
              "counts",
              "controls",
              "organisational"
            ],
            "additionalProperties": false,
            "properties": {
              "requirement": {
                "type": "string"
              },
              "title": {
                "type": "string"
              },
              "counts": {
                "$ref": "#/$defs/counts"
              },
              "controls": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "organisational": {
                "type": "boolean"
              },
              "evidenceByDocument": {
                "type": "string",
                "description": "present when the point (or part of it) is an organisational measure: evidence by document"
              }
            }
          }
        }
      }
    },
    "results": {
      "type": "array",
      "items": {
        "$ref": "control-result.schema.json"
      }
    },
    "organisationalMeasures": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "framework",
          "requirement",
          "title",
          "kind",
          "evidenceByDocument",
          "technicalControls"
        ],
        "additionalProperties": false,
        "properties": {
          "framework": {
            "const": "nis2"
          },
          "requirement": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "kind": {
            "const": "organisational measure: evidence by document"
          },
          "evidenceByDocument": {
            "type": "string"
          },
          "technicalControls": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      }
    },
    "evidence": {
      "type": "array",
      "description": "the evidence records behind results[].evidenceId (sealed; signed when a key was given)",
      "items": {
        "$ref": "evidence-record.schema.json"
      }
    },
    "decision": {
      "$ref": "gate-decision.schema.json"
    },
    "exitCode": {
      "type": "integer",
      "enum": [
        0,
        1
      ]
    }
  },
  "$defs": {
    "counts": {
      "title": "StatusCounts",
      "type": "object",
      "required": [
        "pass",
        "fail",
        "error",
        "notApplicable",
        "waived",
        "total"
      ],
      "additionalProperties": false,
      "properties": {
        "pass": {
          "type": "integer",
          "minimum": 0
        },
        "fail": {
          "type": "integer",
          "minimum": 0
        },
        "error": {
          "type": "integer",
          "minimum": 0
        },
        "notApplicable": {
          "type": "integer",
          "minimum": 0
        },
        "waived": {
          "type": "integer",
          "minimum": 0
        },
        "total": {
          "type": "integer",
          "minimum": 0
        }
      }
    }
  }
} as const;
