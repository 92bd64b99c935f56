/* Generated from schemas/machine.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * A machine of the fleet as the control plane knows it.
 */
export interface Machine {
id: string
hostName: string
platform?: ("nixos" | "darwin" | null)
lifecycle: ("registered" | "active" | "maintenance" | "decommissioned")
tags: string[]
/**
 * the tags in `tags` that the machine's agent declares in its configuration and reports (docs/adr/0820); absent when it declares none; the others were set by operators
 */
agentTags?: string[]
registeredAt: string
updatedAt: string
lastSeenAt?: (string | null)
lastState?: (string | null)
currentStorePath?: (string | null)
}

export const machineSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/machine.schema.json",
  "title": "Machine",
  "description": "A machine of the fleet as the control plane knows it.",
  "type": "object",
  "required": [
    "id",
    "hostName",
    "lifecycle",
    "tags",
    "registeredAt",
    "updatedAt"
  ],
  "additionalProperties": false,
  "properties": {
    "id": {
      "type": "string"
    },
    "hostName": {
      "type": "string"
    },
    "platform": {
      "type": [
        "string",
        "null"
      ],
      "enum": [
        "nixos",
        "darwin",
        null
      ]
    },
    "lifecycle": {
      "type": "string",
      "enum": [
        "registered",
        "active",
        "maintenance",
        "decommissioned"
      ]
    },
    "tags": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "agentTags": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "the tags in `tags` that the machine's agent declares in its configuration and reports (docs/adr/0820); absent when it declares none; the others were set by operators"
    },
    "registeredAt": {
      "type": "string",
      "format": "date-time"
    },
    "updatedAt": {
      "type": "string",
      "format": "date-time"
    },
    "lastSeenAt": {
      "type": [
        "string",
        "null"
      ],
      "format": "date-time"
    },
    "lastState": {
      "type": [
        "string",
        "null"
      ]
    },
    "currentStorePath": {
      "type": [
        "string",
        "null"
      ]
    }
  }
} as const;
