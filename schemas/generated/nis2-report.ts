/* Generated from schemas/nis2-report.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "sha256".
 */
export type Sha256 = string
/**
 * compliant: every host in scope passes; compliant-with-waivers: passes only thanks to valid waivers; non-compliant: a check fails; insufficient-evidence: evidence missing, stale or in error (never counted as pass); documents-only: no technical control, evidence is documentary; not-applicable: no host in scope
 * 
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "pointStatus".
 */
export type Nis2Status = ("compliant" | "compliant-with-waivers" | "non-compliant" | "insufficient-evidence" | "documents-only" | "not-applicable")
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "point".
 */
export type Point = ("a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i" | "j")
export type FrameworkId = ("nis2" | "dora" | "iso27001" | "anssi-bp028")
export type Severity = ("low" | "medium" | "high" | "critical")
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "resultStatus".
 */
export type ResultStatus = ("pass" | "fail" | "error" | "not-applicable" | "waived" | "stale")

/**
 * The NIS2 Article 21 report as a view model: the JSON twin of the PDF, built deterministically (sorted, no clock) from inventory, control results with their evidence, waivers and rollouts of a period. The PDF is rendered from this document only.
 */
export interface Nis2ReportModel {
reportVersion: 1
identification: {
entity: {
name: string
type?: ("essential" | "important")
}
period: ReportPeriod
generatedAt: string
generator: {
name: "nixfleet"
version: string
}
/**
 * SHA-256 of the evidence bundle exported for the same period, when one was given
 */
evidenceBundleSha256: (Sha256 | null)
source: {
kind: ("facts" | "database" | "server")
location: string
}
}
summary: {
overall: Nis2Status
hostsInScope: number
controlsAssessed: number
results: Nis2Counts
findings: SeverityCounts
points: {
point: Point
requirement: string
title: string
status: Nis2Status
coverage: Nis2Coverage
controls: number
documentsRequired: boolean
}[]
}
scope: {
hosts: Nis2ScopeHost[]
}
method: {
frameworks: {
id: FrameworkId
title: string
requirements: number
}[]
anssiLevel?: ("minimal" | "intermediary" | "enhanced" | "high")
checks: {
controls: number
evalChecks: number
runtimeChecks: number
evalResults: number
runtimeResults: number
}
freshness: {
evalMaxAgeHours: number
runtimeMaxAgeHours: number
referenceTime: string
}
rules: string[]
}
points: Nis2PointSection[]
organisationalMeasures: {
requirement: string
title: string
evidenceByDocument: string
technicalControls: string[]
status: "document-required"
}[]
findings: Nis2Finding[]
remediationPlan: {
priority: number
findingId: string
controlId: string
severity: Severity
hosts: number
action: string
dueBy: string
}[]
incidentReadiness: {
deadlines: {
stage: string
within: string
content: string
}[]
/**
 * controls mapped to Art. 23 and 21.2.b that keep the records an incident report needs
 */
loggingControls: {
controlId: string
title: string
status: Nis2Status
coverage: Nis2Coverage
}[]
rollouts: Nis2Rollout[]
failedRollouts: number
rollbacks: number
}
signOff: {
statement: string
signatories: {
role: string
}[]
}
annexes: {
evidenceIndex: Nis2EvidenceIndexEntry[]
mapping: Nis2MappingRow[]
}
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "period".
 */
export interface ReportPeriod {
since: string
until: string
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "counts".
 */
export interface Nis2Counts {
pass: number
fail: number
error: number
notApplicable: number
waived: number
stale: number
missing: number
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "severityCounts".
 */
export interface SeverityCounts {
critical: number
high: number
medium: number
low: number
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "coverage".
 */
export interface Nis2Coverage {
hostsPassing: number
hostsInScope: number
}
export interface Nis2ScopeHost {
host: string
machineId?: string
platform: ("nixos" | "darwin" | "unknown")
tags: string[]
nixosVersion: (string | null)
toplevel: (string | null)
flakeRevision: (string | null)
releaseId?: string
/**
 * pass: every applicable result passes or is waived
 */
status: ("pass" | "fail" | "insufficient-evidence" | "no-results")
}
export interface Nis2PointSection {
point: Point
requirement: string
title: string
status: Nis2Status
coverage: Nis2Coverage
controls: Nis2PointControl[]
waivers: Nis2Waiver[]
organisationalMeasure: ({
evidenceByDocument: string
status: "document-required"
} | null)
}
export interface Nis2PointControl {
controlId: string
title: string
severity: Severity
level: ("minimal" | "intermediary" | "enhanced" | "high")
checks: ("eval" | "runtime")[]
status: Nis2Status
coverage: Nis2Coverage
counts: Nis2Counts
evidence: Nis2EvidenceRef[]
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "evidenceRef".
 */
export interface Nis2EvidenceRef {
evidenceId: string
host: string
source: ("eval" | "runtime")
status: ResultStatus
collectedAt: string
sha256: Sha256
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "waiver".
 */
export interface Nis2Waiver {
id: string
controlId: string
scope: string
rationale: string
requestedBy: string
approver: string
expiresAt: string
state: ("valid" | "expired" | "invalid")
}
export interface Nis2Finding {
id: string
controlId: string
title: string
severity: Severity
/**
 * fail: a check failed; error: it could not run; missing: no fresh evidence
 */
kind: ("fail" | "error" | "missing")
hosts: string[]
points: Point[]
message: string
evidence: string[]
}
/**
 * This interface was referenced by `Nis2ReportModel`'s JSON-Schema
 * via the `definition` "rollout".
 */
export interface Nis2Rollout {
id: string
kind: ("rollout" | "rollback")
status: string
releaseId: (string | null)
rollbackOf?: string
createdAt: string
finishedAt?: string
targets: number
failedHosts: number
reason?: string
}
export interface Nis2EvidenceIndexEntry {
evidenceId: string
host: string
controlId: string
source: ("eval" | "runtime")
status: ResultStatus
collectedAt: string
sha256: Sha256
}
export interface Nis2MappingRow {
point: string
requirement: string
title: string
controls: string[]
iso27001: string[]
anssiBp028: string[]
dora: string[]
}

export const nis2ReportModelSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/nis2-report.schema.json",
  "title": "Nis2ReportModel",
  "description": "The NIS2 Article 21 report as a view model: the JSON twin of the PDF, built deterministically (sorted, no clock) from inventory, control results with their evidence, waivers and rollouts of a period. The PDF is rendered from this document only.",
  "type": "object",
  "required": [
    "reportVersion",
    "identification",
    "summary",
    "scope",
    "method",
    "points",
    "organisationalMeasures",
    "findings",
    "remediationPlan",
    "incidentReadiness",
    "signOff",
    "annexes"
  ],
  "additionalProperties": false,
  "properties": {
    "reportVersion": {
      "const": 1
    },
    "identification": {
      "type": "object",
      "required": [
        "entity",
        "period",
        "generatedAt",
        "generator",
        "evidenceBundleSha256",
        "source"
      ],
      "additionalProperties": false,
      "properties": {
        "entity": {
          "type": "object",
          "required": [
            "name"
          ],
          "additionalProperties": false,
          "properties": {
            "name": {
              "type": "string",
              "minLength": 1
            },
            "type": {
              "type": "string",
              "enum": [
                "essential",
                "important"
              ]
            }
          }
        },
        "period": {
          "$ref": "#/$defs/period"
        },
        "generatedAt": {
          "type": "string",
          "format": "date-time"
        },
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
        "evidenceBundleSha256": {
          "description": "SHA-256 of the evidence bundle exported for the same period, when one was given",
          "oneOf": [
            {
              "$ref": "#/$defs/sha256"
            },
            {
              "type": "null"
            }
          ]
        },
        "source": {
          "type": "object",
          "required": [
            "kind",
            "location"
          ],
          "additionalProperties": false,
          "properties": {
            "kind": {
              "type": "string",
              "enum": [
                "facts",
                "database",
                "server"
              ]
            },
            "location": {
              "type": "string"
            }
          }
        }
      }
    },
    "summary": {
      "type": "object",
      "required": [
        "overall",
        "hostsInScope",
        "controlsAssessed",
        "results",
        "findings",
        "points"
      ],
      "additionalProperties": false,
      "properties": {
        "overall": {
          "$ref": "#/$defs/pointStatus"
        },
        "hostsInScope": {
          "type": "integer",
          "minimum": 0
        },
        "controlsAssessed": {
          "type": "integer",
          "minimum": 0
        },
        "results": {
          "$ref": "#/$defs/counts"
        },
        "findings": {
          "$ref": "#/$defs/severityCounts"
        },
        "points": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "point",
              "requirement",
              "title",
              "status",
              "coverage",
              "controls",
              "documentsRequired"
            ],
            "additionalProperties": false,
            "properties": {
              "point": {
                "$ref": "#/$defs/point"
              },
              "requirement": {
                "type": "string"
              },
              "title": {
                "type": "string"
              },
              "status": {
                "$ref": "#/$defs/pointStatus"
              },
              "coverage": {
                "$ref": "#/$defs/coverage"
              },
              "controls": {
                "type": "integer",
                "minimum": 0
              },
              "documentsRequired": {
                "type": "boolean"
              }
            }
          }
        }
      }
    },
    "scope": {
      "type": "object",
      "required": [
        "hosts"
      ],
      "additionalProperties": false,
      "properties": {
        "hosts": {
          "type": "array",
          "items": {
            "title": "Nis2ScopeHost",
            "type": "object",
            "required": [
              "host",
              "platform",
              "tags",
              "nixosVersion",
              "toplevel",
              "flakeRevision",
              "status"
            ],
            "additionalProperties": false,
            "properties": {
              "host": {
                "type": "string"
              },
              "machineId": {
                "type": "string"
              },
              "platform": {
                "type": "string",
                "enum": [
                  "nixos",
                  "darwin",
                  "unknown"
                ]
              },
              "tags": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "nixosVersion": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "toplevel": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "flakeRevision": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "releaseId": {
                "type": "string"
              },
              "status": {
                "description": "pass: every applicable result passes or is waived",
                "type": "string",
                "enum": [
                  "pass",
                  "fail",
                  "insufficient-evidence",
                  "no-results"
                ]
              }
            }
          }
        }
      }
    },
    "method": {
      "type": "object",
      "required": [
        "frameworks",
        "checks",
        "freshness",
        "rules"
      ],
      "additionalProperties": false,
      "properties": {
        "frameworks": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "id",
              "title",
              "requirements"
            ],
            "additionalProperties": false,
            "properties": {
              "id": {
                "$ref": "control-result.schema.json#/$defs/framework"
              },
              "title": {
                "type": "string"
              },
              "requirements": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
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
        "checks": {
          "type": "object",
          "required": [
            "controls",
            "evalChecks",
            "runtimeChecks",
            "evalResults",
            "runtimeResults"
          ],
          "additionalProperties": false,
          "properties": {
            "controls": {
              "type": "integer",
              "minimum": 0
            },
            "evalChecks": {
              "type": "integer",
              "minimum": 0
            },
            "runtimeChecks": {
              "type": "integer",
              "minimum": 0
            },
            "evalResults": {
              "type": "integer",
              "minimum": 0
            },
            "runtimeResults": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "freshness": {
          "type": "object",
          "required": [
            "evalMaxAgeHours",
            "runtimeMaxAgeHours",
            "referenceTime"
          ],
          "additionalProperties": false,
          "properties": {
            "evalMaxAgeHours": {
              "type": "number"
            },
            "runtimeMaxAgeHours": {
              "type": "number"
            },
            "referenceTime": {
              "type": "string",
              "format": "date-time"
            }
          }
        },
        "rules": {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      }
    },
    "points": {
      "type": "array",
      "items": {
        "title": "Nis2PointSection",
        "type": "object",
        "required": [
          "point",
          "requirement",
          "title",
          "status",
          "coverage",
          "controls",
          "waivers",
          "organisationalMeasure"
        ],
        "additionalProperties": false,
        "properties": {
          "point": {
            "$ref": "#/$defs/point"
          },
          "requirement": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "status": {
            "$ref": "#/$defs/pointStatus"
          },
          "coverage": {
            "$ref": "#/$defs/coverage"
          },
          "controls": {
            "type": "array",
            "items": {
              "title": "Nis2PointControl",
              "type": "object",
              "required": [
                "controlId",
                "title",
                "severity",
                "level",
                "checks",
                "status",
                "coverage",
                "counts",
                "evidence"
              ],
              "additionalProperties": false,
              "properties": {
                "controlId": {
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
                "status": {
                  "$ref": "#/$defs/pointStatus"
                },
                "coverage": {
                  "$ref": "#/$defs/coverage"
                },
                "counts": {
                  "$ref": "#/$defs/counts"
                },
                "evidence": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/evidenceRef"
                  }
                }
              }
            }
          },
          "waivers": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/waiver"
            }
          },
          "organisationalMeasure": {
            "oneOf": [
              {
                "type": "object",
                "required": [
                  "evidenceByDocument",
                  "status"
                ],
                "additionalProperties": false,
                "properties": {
                  "evidenceByDocument": {
                    "type": "string"
                  },
                  "status": {
                    "const": "document-required"
                  }
                }
              },
              {
                "type": "null"
              }
            ]
          }
        }
      }
    },
    "organisationalMeasures": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "requirement",
          "title",
          "evidenceByDocument",
          "technicalControls",
          "status"
        ],
        "additionalProperties": false,
        "properties": {
          "requirement": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "evidenceByDocument": {
            "type": "string"
          },
          "technicalControls": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "status": {
            "const": "document-required"
          }
        }
      }
    },
    "findings": {
      "type": "array",
      "items": {
        "title": "Nis2Finding",
        "type": "object",
        "required": [
          "id",
          "controlId",
          "title",
          "severity",
          "kind",
          "hosts",
          "points",
          "message",
          "evidence"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "string",
            "pattern": "^F-[0-9]{3,}$"
          },
          "controlId": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "severity": {
            "$ref": "control-result.schema.json#/$defs/severity"
          },
          "kind": {
            "description": "fail: a check failed; error: it could not run; missing: no fresh evidence",
            "type": "string",
            "enum": [
              "fail",
              "error",
              "missing"
            ]
          },
          "hosts": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "points": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/point"
            }
          },
          "message": {
            "type": "string"
          },
          "evidence": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      }
    },
    "remediationPlan": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "priority",
          "findingId",
          "controlId",
          "severity",
          "hosts",
          "action",
          "dueBy"
        ],
        "additionalProperties": false,
        "properties": {
          "priority": {
            "type": "integer",
            "minimum": 1
          },
          "findingId": {
            "type": "string"
          },
          "controlId": {
            "type": "string"
          },
          "severity": {
            "$ref": "control-result.schema.json#/$defs/severity"
          },
          "hosts": {
            "type": "integer",
            "minimum": 1
          },
          "action": {
            "type": "string"
          },
          "dueBy": {
            "type": "string",
            "format": "date-time"
          }
        }
      }
    },
    "incidentReadiness": {
      "type": "object",
      "required": [
        "deadlines",
        "loggingControls",
        "rollouts",
        "failedRollouts",
        "rollbacks"
      ],
      "additionalProperties": false,
      "properties": {
        "deadlines": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "stage",
              "within",
              "content"
            ],
            "additionalProperties": false,
            "properties": {
              "stage": {
                "type": "string"
              },
              "within": {
                "type": "string"
              },
              "content": {
                "type": "string"
              }
            }
          }
        },
        "loggingControls": {
          "description": "controls mapped to Art. 23 and 21.2.b that keep the records an incident report needs",
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "controlId",
              "title",
              "status",
              "coverage"
            ],
            "additionalProperties": false,
            "properties": {
              "controlId": {
                "type": "string"
              },
              "title": {
                "type": "string"
              },
              "status": {
                "$ref": "#/$defs/pointStatus"
              },
              "coverage": {
                "$ref": "#/$defs/coverage"
              }
            }
          }
        },
        "rollouts": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/rollout"
          }
        },
        "failedRollouts": {
          "type": "integer",
          "minimum": 0
        },
        "rollbacks": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "signOff": {
      "type": "object",
      "required": [
        "statement",
        "signatories"
      ],
      "additionalProperties": false,
      "properties": {
        "statement": {
          "type": "string"
        },
        "signatories": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "role"
            ],
            "additionalProperties": false,
            "properties": {
              "role": {
                "type": "string"
              }
            }
          }
        }
      }
    },
    "annexes": {
      "type": "object",
      "required": [
        "evidenceIndex",
        "mapping"
      ],
      "additionalProperties": false,
      "properties": {
        "evidenceIndex": {
          "type": "array",
          "items": {
            "title": "Nis2EvidenceIndexEntry",
            "type": "object",
            "required": [
              "evidenceId",
              "host",
              "controlId",
              "source",
              "status",
              "collectedAt",
              "sha256"
            ],
            "additionalProperties": false,
            "properties": {
              "evidenceId": {
                "type": "string"
              },
              "host": {
                "type": "string"
              },
              "controlId": {
                "type": "string"
              },
              "source": {
                "type": "string",
                "enum": [
                  "eval",
                  "runtime"
                ]
              },
              "status": {
                "$ref": "#/$defs/resultStatus"
              },
              "collectedAt": {
                "type": "string",
                "format": "date-time"
              },
              "sha256": {
                "$ref": "#/$defs/sha256"
              }
            }
          }
        },
        "mapping": {
          "type": "array",
          "items": {
            "title": "Nis2MappingRow",
            "type": "object",
            "required": [
              "point",
              "requirement",
              "title",
              "controls",
              "iso27001",
              "anssiBp028",
              "dora"
            ],
            "additionalProperties": false,
            "properties": {
              "point": {
                "type": "string"
              },
              "requirement": {
                "type": "string"
              },
              "title": {
                "type": "string"
              },
              "controls": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "iso27001": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "anssiBp028": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "dora": {
                "type": "array",
                "items": {
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
    "sha256": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$"
    },
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
    "period": {
      "title": "ReportPeriod",
      "type": "object",
      "required": [
        "since",
        "until"
      ],
      "additionalProperties": false,
      "properties": {
        "since": {
          "type": "string",
          "format": "date-time"
        },
        "until": {
          "type": "string",
          "format": "date-time"
        }
      }
    },
    "pointStatus": {
      "title": "Nis2Status",
      "description": "compliant: every host in scope passes; compliant-with-waivers: passes only thanks to valid waivers; non-compliant: a check fails; insufficient-evidence: evidence missing, stale or in error (never counted as pass); documents-only: no technical control, evidence is documentary; not-applicable: no host in scope",
      "type": "string",
      "enum": [
        "compliant",
        "compliant-with-waivers",
        "non-compliant",
        "insufficient-evidence",
        "documents-only",
        "not-applicable"
      ]
    },
    "resultStatus": {
      "type": "string",
      "enum": [
        "pass",
        "fail",
        "error",
        "not-applicable",
        "waived",
        "stale"
      ]
    },
    "coverage": {
      "title": "Nis2Coverage",
      "type": "object",
      "required": [
        "hostsPassing",
        "hostsInScope"
      ],
      "additionalProperties": false,
      "properties": {
        "hostsPassing": {
          "type": "integer",
          "minimum": 0
        },
        "hostsInScope": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "counts": {
      "title": "Nis2Counts",
      "type": "object",
      "required": [
        "pass",
        "fail",
        "error",
        "notApplicable",
        "waived",
        "stale",
        "missing"
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
        "stale": {
          "type": "integer",
          "minimum": 0
        },
        "missing": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "severityCounts": {
      "type": "object",
      "required": [
        "critical",
        "high",
        "medium",
        "low"
      ],
      "additionalProperties": false,
      "properties": {
        "critical": {
          "type": "integer",
          "minimum": 0
        },
        "high": {
          "type": "integer",
          "minimum": 0
        },
        "medium": {
          "type": "integer",
          "minimum": 0
        },
        "low": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "evidenceRef": {
      "title": "Nis2EvidenceRef",
      "type": "object",
      "required": [
        "evidenceId",
        "host",
        "source",
        "status",
        "collectedAt",
        "sha256"
      ],
      "additionalProperties": false,
      "properties": {
        "evidenceId": {
          "type": "string"
        },
        "host": {
          "type": "string"
        },
        "source": {
          "type": "string",
          "enum": [
            "eval",
            "runtime"
          ]
        },
        "status": {
          "$ref": "#/$defs/resultStatus"
        },
        "collectedAt": {
          "type": "string",
          "format": "date-time"
        },
        "sha256": {
          "$ref": "#/$defs/sha256"
        }
      }
    },
    "waiver": {
      "title": "Nis2Waiver",
      "type": "object",
      "required": [
        "id",
        "controlId",
        "scope",
        "rationale",
        "requestedBy",
        "approver",
        "expiresAt",
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
        "scope": {
          "type": "string"
        },
        "rationale": {
          "type": "string"
        },
        "requestedBy": {
          "type": "string"
        },
        "approver": {
          "type": "string"
        },
        "expiresAt": {
          "type": "string"
        },
        "state": {
          "type": "string",
          "enum": [
            "valid",
            "expired",
            "invalid"
          ]
        }
      }
    },
    "rollout": {
      "title": "Nis2Rollout",
      "type": "object",
      "required": [
        "id",
        "kind",
        "status",
        "releaseId",
        "createdAt",
        "targets",
        "failedHosts"
      ],
      "additionalProperties": false,
      "properties": {
        "id": {
          "type": "string"
        },
        "kind": {
          "type": "string",
          "enum": [
            "rollout",
            "rollback"
          ]
        },
        "status": {
          "type": "string"
        },
        "releaseId": {
          "type": [
            "string",
            "null"
          ]
        },
        "rollbackOf": {
          "type": "string"
        },
        "createdAt": {
          "type": "string",
          "format": "date-time"
        },
        "finishedAt": {
          "type": "string",
          "format": "date-time"
        },
        "targets": {
          "type": "integer",
          "minimum": 0
        },
        "failedHosts": {
          "type": "integer",
          "minimum": 0
        },
        "reason": {
          "type": "string"
        }
      }
    }
  }
} as const;
