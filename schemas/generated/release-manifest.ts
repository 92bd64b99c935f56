/* Generated from schemas/release-manifest.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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
 * An immutable release: per host the toplevel store path to run, its eval-time facts and evidence. The release id is derived from the SHA-256 of the RFC 8785 canonical JSON of this document.
 */
export interface ReleaseManifest {
hosts: {
[k: string]: {
toplevel: string
facts?: Facts
/**
 * @maxItems 4096
 */
evalEvidence: ControlResult[]
}
}
/**
 * where the release was built from
 */
source?: {
flake?: string
revision?: string
note?: string
}
}
/**
 * Eval-time facts of one host: a JSON subset of the NixOS (or nix-darwin) config with the same nesting and option names, plus nixfleet.meta. Unknown option paths are allowed, since facts mirror config.
 */
export interface Facts {
nixfleet: {
meta: FactsMeta
[k: string]: unknown
}
[k: string]: unknown
}
/**
 * This interface was referenced by `Facts`'s JSON-Schema
 * via the `definition` "meta".
 */
export interface FactsMeta {
hostName: string
system: ("x86_64-linux" | "aarch64-linux" | "x86_64-darwin" | "aarch64-darwin")
platform?: ("nixos" | "darwin")
nixosVersion?: string
toplevel?: string
flakeRevision?: string
lockAgeDays?: number
tags?: string[]
collectedAt?: string
[k: string]: unknown
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

export const releaseManifestSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/release-manifest.schema.json",
  "title": "ReleaseManifest",
  "description": "An immutable release: per host the toplevel store path to run, its eval-time facts and evidence. The release id is derived from the SHA-256 of the RFC 8785 canonical JSON of this document.",
  "type": "object",
  "required": [
    "hosts"
  ],
  "additionalProperties": false,
  "properties": {
    "hosts": {
      "type": "object",
      "minProperties": 1,
      "maxProperties": 10000,
      "propertyNames": {
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
      },
      "additionalProperties": {
        "type": "object",
        "required": [
          "toplevel",
          "evalEvidence"
        ],
        "additionalProperties": false,
        "properties": {
          "toplevel": {
            "type": "string",
            "pattern": "^/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+$",
            "maxLength": 512
          },
          "facts": {
            "$ref": "facts.schema.json"
          },
          "evalEvidence": {
            "type": "array",
            "maxItems": 4096,
            "items": {
              "$ref": "control-result.schema.json"
            }
          }
        }
      }
    },
    "source": {
      "type": "object",
      "additionalProperties": false,
      "description": "where the release was built from",
      "properties": {
        "flake": {
          "type": "string",
          "maxLength": 1024
        },
        "revision": {
          "type": "string",
          "maxLength": 128
        },
        "note": {
          "type": "string",
          "maxLength": 1024
        }
      }
    }
  }
} as const;
