import type { ServiceCall } from "../../services/context.js";
import type { RolloutView } from "../queries.js";
import { operatorAction } from "./operatorAction.js";

/** Skips the current batch's bake (and resumes when paused); never skips the governance gate. Audit: rollout.promote. */
export function promoteRollout({ ctx, input }: ServiceCall<{ rolloutId: string }>): RolloutView {
  return operatorAction(ctx, input.rolloutId, (actor) => ({ type: "promote", actor }), "rollout.promote");
}
