/* Generated from schemas/token-create.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/tokens: a bearer token. Role agent needs machineId and binds the token to that machine.
 */
export interface TokenCreate {
name?: string
role: ("admin" | "operator" | "auditor" | "agent")
machineId?: string
expiresInSeconds?: number
}

export const tokenCreateSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/token-create.schema.json",
  "title": "TokenCreate",
  "description": "POST /api/v1/tokens: a bearer token. Role agent needs machineId and binds the token to that machine.",
  "type": "object",
  "required": [
    "role"
  ],
  "additionalProperties": false,
  "properties": {
    "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 128
    },
    "role": {
      "type": "string",
      "enum": [
        "admin",
        "operator",
        "auditor",
        "agent"
      ]
    },
    "machineId": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    },
    "expiresInSeconds": {
      "type": "integer",
      "minimum": 60,
      "maximum": 63072000
    }
  }
} as const;
