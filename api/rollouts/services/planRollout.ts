/**
 * The dry run behind `rollout plan`: the batches in order, conflicts, and what the gate would decide now —
 * stored nowhere, changing nothing (no audit event: nothing was mutated).
 */
import type { RolloutPlan } from "../../../schemas/generated/rollout-plan.js";
import type { RolloutRequest } from "../../../schemas/generated/rollout-request.js";
import { decideForRollout } from "../../policy/gate.js";
import type { ServiceCall } from "../../services/context.js";
import { prepareRollout } from "../prepare.js";

export function planRolloutRequest({ ctx, input }: ServiceCall<RolloutRequest>): RolloutPlan {
  const now = ctx.clock.now();
  const plan = prepareRollout(ctx.db, input, now);
  const decision = decideForRollout(
    ctx.db,
    {
      rolloutId: plan.id,
      releaseId: plan.releaseId,
      evalHosts: [...plan.targets.keys()],
      runtimeHosts: [],
      phase: "pre-rollout",
      batch: null,
      rollback: plan.rollbackOf !== null,
    },
    now,
  );
  return {
    rolloutId: plan.id,
    releaseId: plan.releaseId,
    rollbackOf: plan.rollbackOf,
    targets: plan.targets.size,
    batches: plan.batches.map((b) => ({
      index: b.index,
      amount: b.amount,
      cumulative: b.cumulative,
      hosts: b.hosts,
    })),
    gate: { allow: plan.rollbackOf !== null || decision.decision !== "block", decision },
    conflicts: plan.conflicts.filter((c) => c.rolloutId !== plan.rollbackOf),
  };
}
