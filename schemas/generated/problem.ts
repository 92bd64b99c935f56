/* Generated from schemas/problem.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * RFC 9457 problem details: every error answer of the API, with the request id.
 */
export interface Problem {
type: string
title: string
status: number
detail?: string
instance?: string
requestId: string
issues?: {
path: string
message: string
}[]
}

export const problemSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/problem.schema.json",
  "title": "Problem",
  "description": "RFC 9457 problem details: every error answer of the API, with the request id.",
  "type": "object",
  "required": [
    "type",
    "title",
    "status",
    "requestId"
  ],
  "properties": {
    "type": {
      "type": "string"
    },
    "title": {
      "type": "string"
    },
    "status": {
      "type": "integer"
    },
    "detail": {
      "type": "string"
    },
    "instance": {
      "type": "string"
    },
    "requestId": {
      "type": "string"
    },
    "issues": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "path",
          "message"
        ],
        "properties": {
          "path": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        }
      }
    }
  }
} as const;
