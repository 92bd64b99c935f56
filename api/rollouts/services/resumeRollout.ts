import type { ServiceCall } from "../../services/context.js";
import type { RolloutView } from "../queries.js";
import { operatorAction } from "./operatorAction.js";

/** Resumes a paused rollout. After a blocked gate the gate is asked again; after a failed or inconclusive batch the operator accepts it. Audit: rollout.resume. */
export function resumeRollout({ ctx, input }: ServiceCall<{ rolloutId: string }>): RolloutView {
  return operatorAction(ctx, input.rolloutId, (actor) => ({ type: "resume", actor }), "rollout.resume");
}
