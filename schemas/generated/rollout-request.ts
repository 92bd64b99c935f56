/* Generated from schemas/rollout-request.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 * 
 * This interface was referenced by `RolloutSpec`'s JSON-Schema
 * via the `definition` "amount".
 */
export type RolloutAmount = (number | string)
/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 */
export type RolloutAmount1 = (number | string)
/**
 * a host count ("3" or 3) or a percentage ("12.5%", at most three decimals, at most 100%)
 */
export type RolloutAmount2 = (number | string)

/**
 * POST /api/v1/rollouts (start) and /api/v1/rollouts/plan (dry run). A rollback names rollbackOf: without releaseId it returns every host that rollout touched to the generation it ran before.
 */
export interface RolloutRequest {
releaseId?: string
rollbackOf?: string
/**
 * the id to use (it seeds the host order): pass the id a plan returned to start exactly that plan
 */
rolloutId?: string
spec?: RolloutSpec
}
/**
 * How a release reaches its targets: batches, thresholds, timeouts and what to do on failure. Batch sizes are cumulative: each entry says how many targets have been reached once that batch is done; a percentage is the ceiling of that share of the targets.
 */
export interface RolloutSpec {
/**
 * canary: default batches ["1", "100%"]; staged: default ["1", "10%", "50%", "100%"]; all-at-once: one batch of every target (batches must be absent)
 */
strategy: ("canary" | "staged" | "all-at-once")
/**
 * cumulative sizes; targets left over after the last entry form one more batch
 * 
 * @minItems 1
 * @maxItems 100
 */
batches?: [RolloutAmount, ...(RolloutAmount)[]]
failureThreshold?: RolloutAmount1
errorBudget?: RolloutAmount2
/**
 * when a batch crosses its threshold: pause for a human, or fail and roll the updated hosts back. Default pause.
 */
onFailure?: ("pause" | "revert")
/**
 * how long a batch must stay healthy before the next one starts. Default 0.
 */
bakeTimeMs?: number
/**
 * time the agent has for its health checks. Default 300000.
 */
healthTimeoutMs?: number
/**
 * time the agent has to confirm after its health checks. A host with no final outcome healthTimeoutMs + confirmWindowMs after assignment counts as failed (unreachable when it never reported). Default 600000.
 */
confirmWindowMs?: number
/**
 * hosts assigned but not yet settled, at most. Default: the batch size.
 */
maxInFlight?: number
targets: RolloutTargets
}
/**
 * which hosts: the union of the tag selector and the named hosts, minus exclusions. The whole fleet only with all: true.
 * 
 * This interface was referenced by `RolloutSpec`'s JSON-Schema
 * via the `definition` "targets".
 */
export interface RolloutTargets {
all?: true
tags?: {
/**
 * hosts carrying every one of these tags
 */
all?: string[]
/**
 * hosts carrying at least one of these tags
 */
any?: string[]
}
/**
 * machine ids or host names
 */
hosts?: string[]
/**
 * machine ids or host names never targeted
 */
exclude?: string[]
}

export const rolloutRequestSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/rollout-request.schema.json",
  "title": "RolloutRequest",
  "description": "POST /api/v1/rollouts (start) and /api/v1/rollouts/plan (dry run). A rollback names rollbackOf: without releaseId it returns every host that rollout touched to the generation it ran before.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "releaseId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
    },
    "rollbackOf": {
      "type": "string",
      "pattern": "^rol_[0-9A-Z]{26}$"
    },
    "rolloutId": {
      "type": "string",
      "pattern": "^rol_[0-9A-Z]{26}$",
      "description": "the id to use (it seeds the host order): pass the id a plan returned to start exactly that plan"
    },
    "spec": {
      "$ref": "rollout-spec.schema.json"
    }
  }
} as const;
