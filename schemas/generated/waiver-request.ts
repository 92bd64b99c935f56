/* Generated from schemas/waiver-request.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/waivers: ask for an exception to one control. It counts only once another admin approves it, and only until it expires.
 */
export interface WaiverRequest {
controlId: string
/**
 * host names; with no hosts and no tags the waiver covers every host
 * 
 * @maxItems 1000
 */
hosts?: string[]
/**
 * @maxItems 64
 */
tags?: string[]
rationale: string
expiresAt: string
}

export const waiverRequestSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/waiver-request.schema.json",
  "title": "WaiverRequest",
  "description": "POST /api/v1/waivers: ask for an exception to one control. It counts only once another admin approves it, and only until it expires.",
  "type": "object",
  "required": [
    "controlId",
    "rationale",
    "expiresAt"
  ],
  "additionalProperties": false,
  "properties": {
    "controlId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 128,
      "pattern": "^[a-z0-9][a-z0-9.-]*$"
    },
    "hosts": {
      "type": "array",
      "maxItems": 1000,
      "items": {
        "type": "string",
        "minLength": 1,
        "maxLength": 128
      },
      "description": "host names; with no hosts and no tags the waiver covers every host"
    },
    "tags": {
      "type": "array",
      "maxItems": 64,
      "items": {
        "type": "string",
        "minLength": 1,
        "maxLength": 64
      }
    },
    "rationale": {
      "type": "string",
      "minLength": 1,
      "maxLength": 4096,
      "pattern": "\\S"
    },
    "expiresAt": {
      "type": "string",
      "format": "date-time"
    }
  }
} as const;
