/* Generated from schemas/facts.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

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

export const factsSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/facts.schema.json",
  "title": "Facts",
  "description": "Eval-time facts of one host: a JSON subset of the NixOS (or nix-darwin) config with the same nesting and option names, plus nixfleet.meta. Unknown option paths are allowed, since facts mirror config.",
  "type": "object",
  "required": [
    "nixfleet"
  ],
  "properties": {
    "nixfleet": {
      "type": "object",
      "required": [
        "meta"
      ],
      "properties": {
        "meta": {
          "$ref": "#/$defs/meta"
        }
      },
      "additionalProperties": true
    }
  },
  "additionalProperties": true,
  "$defs": {
    "meta": {
      "title": "FactsMeta",
      "type": "object",
      "required": [
        "hostName",
        "system"
      ],
      "properties": {
        "hostName": {
          "type": "string",
          "minLength": 1,
          "maxLength": 253,
          "pattern": "^[A-Za-z0-9][A-Za-z0-9.-]*$"
        },
        "system": {
          "type": "string",
          "enum": [
            "x86_64-linux",
            "aarch64-linux",
            "x86_64-darwin",
            "aarch64-darwin"
          ]
        },
        "platform": {
          "type": "string",
          "enum": [
            "nixos",
            "darwin"
          ]
        },
        "nixosVersion": {
          "type": "string"
        },
        "toplevel": {
          "type": "string",
          "pattern": "^/nix/store/[0-9a-z]{32}-.+$"
        },
        "flakeRevision": {
          "type": "string"
        },
        "lockAgeDays": {
          "type": "number",
          "minimum": 0
        },
        "tags": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "collectedAt": {
          "type": "string",
          "format": "date-time"
        }
      },
      "additionalProperties": true
    }
  }
} as const;
