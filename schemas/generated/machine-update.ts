/* Generated from schemas/machine-update.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * PATCH /api/v1/machines/{id}: changes lifecycle and tags. `tags` replaces the set; `addTags`/`removeTags` edit it.
 */
export interface MachineUpdate {
lifecycle?: ("active" | "maintenance")
hostName?: string
/**
 * @maxItems 64
 */
tags?: string[]
/**
 * @maxItems 64
 */
addTags?: string[]
/**
 * @maxItems 64
 */
removeTags?: string[]
}

export const machineUpdateSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/machine-update.schema.json",
  "title": "MachineUpdate",
  "description": "PATCH /api/v1/machines/{id}: changes lifecycle and tags. `tags` replaces the set; `addTags`/`removeTags` edit it.",
  "type": "object",
  "additionalProperties": false,
  "minProperties": 1,
  "properties": {
    "lifecycle": {
      "type": "string",
      "enum": [
        "active",
        "maintenance"
      ]
    },
    "hostName": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    },
    "tags": {
      "type": "array",
      "maxItems": 64,
      "uniqueItems": true,
      "items": {
        "$ref": "machine-register.schema.json#/$defs/tag"
      }
    },
    "addTags": {
      "type": "array",
      "maxItems": 64,
      "uniqueItems": true,
      "items": {
        "$ref": "machine-register.schema.json#/$defs/tag"
      }
    },
    "removeTags": {
      "type": "array",
      "maxItems": 64,
      "uniqueItems": true,
      "items": {
        "$ref": "machine-register.schema.json#/$defs/tag"
      }
    }
  }
} as const;
