/* Generated from schemas/waiver-revoke.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/waivers/{id}/revoke: withdraw a waiver; it stops counting at once.
 */
export interface WaiverRevoke {
reason: string
}

export const waiverRevokeSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/waiver-revoke.schema.json",
  "title": "WaiverRevoke",
  "description": "POST /api/v1/waivers/{id}/revoke: withdraw a waiver; it stops counting at once.",
  "type": "object",
  "required": [
    "reason"
  ],
  "additionalProperties": false,
  "properties": {
    "reason": {
      "type": "string",
      "minLength": 1,
      "maxLength": 4096
    }
  }
} as const;
