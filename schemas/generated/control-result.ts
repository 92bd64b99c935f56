/* Generated from schemas/control-result.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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
 * This interface was referenced by `ControlResult`'s JSON-Schema
 * via the `definition` "framework".
 */
export type FrameworkId = ("nis2" | "dora" | "iso27001" | "anssi-bp028")

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

export const controlResultSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/control-result.schema.json",
  "title": "ControlResult",
  "description": "The outcome of one control on one host, from eval-time facts or a runtime report.",
  "type": "object",
  "required": [
    "controlId",
    "host",
    "status",
    "source",
    "severity",
    "observed",
    "expected",
    "message",
    "mappings"
  ],
  "additionalProperties": false,
  "properties": {
    "controlId": {
      "type": "string",
      "pattern": "^[a-z0-9][a-z0-9.-]*$"
    },
    "title": {
      "type": "string"
    },
    "host": {
      "type": "string",
      "minLength": 1
    },
    "status": {
      "$ref": "#/$defs/status"
    },
    "source": {
      "type": "string",
      "enum": [
        "eval",
        "runtime"
      ]
    },
    "severity": {
      "$ref": "#/$defs/severity"
    },
    "observed": {
      "description": "The value found (any JSON value; null when absent).",
      "tsType": "unknown"
    },
    "expected": {
      "description": "The value or condition required.",
      "tsType": "unknown"
    },
    "message": {
      "type": "string"
    },
    "remediation": {
      "type": "string"
    },
    "mappings": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/mapping"
      }
    },
    "waiver": {
      "$ref": "#/$defs/waiverRef"
    },
    "collectedAt": {
      "type": "string",
      "format": "date-time"
    },
    "evidenceId": {
      "type": "string",
      "pattern": "^evd_[0-9A-Za-z]+$"
    }
  },
  "$defs": {
    "status": {
      "title": "ControlStatus",
      "type": "string",
      "enum": [
        "pass",
        "fail",
        "error",
        "not-applicable",
        "waived"
      ]
    },
    "severity": {
      "title": "Severity",
      "type": "string",
      "enum": [
        "low",
        "medium",
        "high",
        "critical"
      ]
    },
    "framework": {
      "title": "FrameworkId",
      "type": "string",
      "enum": [
        "nis2",
        "dora",
        "iso27001",
        "anssi-bp028"
      ]
    },
    "mapping": {
      "title": "RequirementMapping",
      "type": "object",
      "required": [
        "framework",
        "requirement"
      ],
      "additionalProperties": false,
      "properties": {
        "framework": {
          "$ref": "#/$defs/framework"
        },
        "requirement": {
          "type": "string",
          "minLength": 1
        }
      }
    },
    "waiverRef": {
      "title": "WaiverRef",
      "type": "object",
      "required": [
        "id",
        "rationale",
        "approver",
        "expiresAt"
      ],
      "additionalProperties": false,
      "properties": {
        "id": {
          "type": "string"
        },
        "rationale": {
          "type": "string"
        },
        "approver": {
          "type": "string"
        },
        "expiresAt": {
          "type": "string",
          "format": "date-time"
        }
      }
    }
  }
} as const;
