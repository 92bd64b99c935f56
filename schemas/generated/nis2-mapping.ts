/* Generated from schemas/nis2-mapping.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

export type Severity = ("low" | "medium" | "high" | "critical")
/**
 * This interface was referenced by `Nis2Mapping`'s JSON-Schema
 * via the `definition` "requirementList".
 */
export type RequirementList = {
id: string
title: string
/**
 * controls: shared by a technical control mapped to this point; measure: a documented correspondence of the organisational measure
 */
via: ("controls" | "measure")
}[]

/**
 * Machine-readable mapping of NIS2 Art. 21(2) points (a)-(j): for each point the NixFleet technical controls, the corresponding requirements of ISO/IEC 27001:2022, ANSSI BP-028 and DORA, the organisational measure a document must evidence, and the evidence types an auditor receives.
 */
export interface Nis2Mapping {
mappingVersion: 1
framework: "nis2"
generator: {
name: "nixfleet"
version: string
/**
 * controls in the catalog
 */
controls: number
}
/**
 * @minItems 10
 * @maxItems 10
 */
points: [Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint, Nis2MappingPoint]
}
export interface Nis2MappingPoint {
point: ("a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i" | "j")
requirement: string
title: string
organisational: boolean
evidenceByDocument: string
controls: {
id: string
title: string
severity: Severity
level: ("minimal" | "intermediary" | "enhanced" | "high")
checks: ("eval" | "runtime")[]
platforms: ("nixos" | "darwin")[]
}[]
requirements: {
iso27001: RequirementList
"anssi-bp028": RequirementList
dora: RequirementList
}
evidenceTypes: {
kind: ("control-result" | "runtime-report" | "health-check" | "gate-decision" | "sbom" | "release" | "rollout-event" | "audit-event" | "organisational")
source: ("eval" | "runtime" | "control-plane" | "cli" | "document")
description: string
}[]
}

export const nis2MappingSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/nis2-mapping.schema.json",
  "title": "Nis2Mapping",
  "description": "Machine-readable mapping of NIS2 Art. 21(2) points (a)-(j): for each point the NixFleet technical controls, the corresponding requirements of ISO/IEC 27001:2022, ANSSI BP-028 and DORA, the organisational measure a document must evidence, and the evidence types an auditor receives.",
  "type": "object",
  "required": [
    "mappingVersion",
    "framework",
    "generator",
    "points"
  ],
  "additionalProperties": false,
  "properties": {
    "mappingVersion": {
      "const": 1
    },
    "framework": {
      "const": "nis2"
    },
    "generator": {
      "type": "object",
      "required": [
        "name",
        "version",
        "controls"
      ],
      "additionalProperties": false,
      "properties": {
        "name": {
          "const": "nixfleet"
        },
        "version": {
          "type": "string"
        },
        "controls": {
          "type": "integer",
          "minimum": 0,
          "description": "controls in the catalog"
        }
      }
    },
    "points": {
      "type": "array",
      "minItems": 10,
      "maxItems": 10,
      "items": {
        "title": "Nis2MappingPoint",
        "type": "object",
        "required": [
          "point",
          "requirement",
          "title",
          "organisational",
          "evidenceByDocument",
          "controls",
          "requirements",
          "evidenceTypes"
        ],
        "additionalProperties": false,
        "properties": {
          "point": {
            "type": "string",
            "enum": [
              "a",
              "b",
              "c",
              "d",
              "e",
              "f",
              "g",
              "h",
              "i",
              "j"
            ]
          },
          "requirement": {
            "type": "string",
            "pattern": "^21\\.2\\.[a-j]$"
          },
          "title": {
            "type": "string"
          },
          "organisational": {
            "type": "boolean"
          },
          "evidenceByDocument": {
            "type": "string"
          },
          "controls": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "id",
                "title",
                "severity",
                "level",
                "checks",
                "platforms"
              ],
              "additionalProperties": false,
              "properties": {
                "id": {
                  "type": "string"
                },
                "title": {
                  "type": "string"
                },
                "severity": {
                  "$ref": "control-result.schema.json#/$defs/severity"
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
                "checks": {
                  "type": "array",
                  "items": {
                    "type": "string",
                    "enum": [
                      "eval",
                      "runtime"
                    ]
                  }
                },
                "platforms": {
                  "type": "array",
                  "items": {
                    "type": "string",
                    "enum": [
                      "nixos",
                      "darwin"
                    ]
                  }
                }
              }
            }
          },
          "requirements": {
            "type": "object",
            "required": [
              "iso27001",
              "anssi-bp028",
              "dora"
            ],
            "additionalProperties": false,
            "properties": {
              "iso27001": {
                "$ref": "#/$defs/requirementList"
              },
              "anssi-bp028": {
                "$ref": "#/$defs/requirementList"
              },
              "dora": {
                "$ref": "#/$defs/requirementList"
              }
            }
          },
          "evidenceTypes": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "kind",
                "source",
                "description"
              ],
              "additionalProperties": false,
              "properties": {
                "kind": {
                  "type": "string",
                  "enum": [
                    "control-result",
                    "runtime-report",
                    "health-check",
                    "gate-decision",
                    "sbom",
                    "release",
                    "rollout-event",
                    "audit-event",
                    "organisational"
                  ]
                },
                "source": {
                  "type": "string",
                  "enum": [
                    "eval",
                    "runtime",
                    "control-plane",
                    "cli",
                    "document"
                  ]
                },
                "description": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    }
  },
  "$defs": {
    "requirementList": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "id",
          "title",
          "via"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "via": {
            "description": "controls: shared by a technical control mapped to this point; measure: a documented correspondence of the organisational measure",
            "type": "string",
            "enum": [
              "controls",
              "measure"
            ]
          }
        }
      }
    }
  }
} as const;
