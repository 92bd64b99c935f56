import type { ServiceCall } from "../../services/context.js";
import type { RolloutView } from "../queries.js";
import { operatorAction } from "./operatorAction.js";

/** Queues the current batch's failed and inconclusive hosts again (and resumes when paused). Audit: rollout.retry. */
export function retryRollout({ ctx, input }: ServiceCall<{ rolloutId: string }>): RolloutView {
  return operatorAction(ctx, input.rolloutId, (actor) => ({ type: "retry", actor }), "rollout.retry");
}
