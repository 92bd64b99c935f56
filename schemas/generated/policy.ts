/* Generated from schemas/policy.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const policySchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/policy.schema.json",
  "title": "Policy",
  "description": "Governance policy: which controls are required, how fresh evidence must be, how strictly to enforce, and the waivers (approved exceptions) in force.",
  "type": "object",
  "required": [
    "version"
  ],
  "additionalProperties": false,
  "properties": {
    "version": {
      "const": 1
    },
    "frameworks": {
      "type": "array",
      "items": {
        "type": "string",
        "enum": [
          "nis2",
          "dora",
          "iso27001",
          "anssi-bp028"
        ]
      },
      "uniqueItems": true
    },
    "anssiLevel": {
      "type": "string",
      "enum": [
        "minimal",
        "intermediary",
        "enhanced",
        "high"
      ]
    },
    "nis2Entity": {
      "type": "string",
      "enum": [
        "essential",
        "important"
      ]
    },
    "requiredControls": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "control ids that must pass; '*' means every control selected by frameworks/level/entity"
    },
    "advisoryControls": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "reported, never blocking"
    },
    "freshness": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "evalMaxAgeHours": {
          "type": "number",
          "exclusiveMinimum": 0,
          "default": 720
        },
        "runtimeMaxAgeHours": {
          "type": "number",
          "exclusiveMinimum": 0,
          "default": 24
        }
      }
    },
    "mode": {
      "$ref": "#/$defs/mode",
      "description": "default enforcement mode"
    },
    "modes": {
      "type": "array",
      "description": "first match wins: by environment name or by tag",
      "items": {
        "type": "object",
        "required": [
          "mode"
        ],
        "additionalProperties": false,
        "properties": {
          "environment": {
            "type": "string"
          },
          "tag": {
            "type": "string"
          },
          "mode": {
            "$ref": "#/$defs/mode"
          }
        }
      }
    },
    "waivers": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/waiver"
      }
    }
  },
  "$defs": {
    "mode": {
      "title": "EnforcementMode",
      "type": "string",
      "enum": [
        "enforce",
        "permissive",
        "disabled"
      ]
    },
    "waiver": {
      "title": "Waiver",
      "type": "object",
      "required": [
        "id",
        "controlId",
        "rationale",
        "requestedBy",
        "approvedBy",
        "expiresAt"
      ],
      "additionalProperties": false,
      "properties": {
        "id": {
          "type": "string",
          "minLength": 1,
          "maxLength": 64
        },
        "controlId": {
          "type": "string",
          "minLength": 1
        },
        "hosts": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "description": "empty or absent with no tags: every host"
        },
        "tags": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "rationale": {
          "type": "string",
          "minLength": 1
        },
        "requestedBy": {
          "type": "string",
          "minLength": 1
        },
        "approvedBy": {
          "type": "string",
          "minLength": 1
        },
        "approvedAt": {
          "type": "string",
          "format": "date-time"
        },
        "expiresAt": {
          "type": "string",
          "format": "date-time"
        }
      }
    }
  }
} as const;
