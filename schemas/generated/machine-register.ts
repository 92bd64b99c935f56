/* Generated from schemas/machine-register.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * This interface was referenced by `MachineRegister`'s JSON-Schema
 * via the `definition` "tag".
 */
export type Tag = string

/**
 * POST /api/v1/machines: registers a machine. Without an id the control plane assigns a mch_ id.
 */
export interface MachineRegister {
id?: string
/**
 * the host name in the flake / release manifest (default: the id)
 */
hostName?: string
platform?: ("nixos" | "darwin")
/**
 * @maxItems 64
 */
tags?: Tag[]
}

export const machineRegisterSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/machine-register.schema.json",
  "title": "MachineRegister",
  "description": "POST /api/v1/machines: registers a machine. Without an id the control plane assigns a mch_ id.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    },
    "hostName": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
      "description": "the host name in the flake / release manifest (default: the id)"
    },
    "platform": {
      "type": "string",
      "enum": [
        "nixos",
        "darwin"
      ]
    },
    "tags": {
      "type": "array",
      "maxItems": 64,
      "uniqueItems": true,
      "items": {
        "$ref": "#/$defs/tag"
      }
    }
  },
  "$defs": {
    "tag": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$"
    }
  }
} as const;
