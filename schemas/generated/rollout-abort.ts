/* Generated from schemas/rollout-abort.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * POST /api/v1/rollouts/{id}/abort: stop for good, keeping updated hosts (revert false) or rolling every touched host back (revert true).
 */
export interface RolloutAbort {
revert: boolean
}

export const rolloutAbortSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout-abort.schema.json",
  "title": "RolloutAbort",
  "description": "POST /api/v1/rollouts/{id}/abort: stop for good, keeping updated hosts (revert false) or rolling every touched host back (revert true).",
  "type": "object",
  "required": [
    "revert"
  ],
  "additionalProperties": false,
  "properties": {
    "revert": {
      "type": "boolean"
    }
  }
} as const;
