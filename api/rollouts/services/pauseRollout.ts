import type { ServiceCall } from "../../services/context.js";
import type { RolloutView } from "../queries.js";
import { operatorAction } from "./operatorAction.js";

/** Pauses a running rollout: nothing new is assigned; hosts in flight still report. Audit: rollout.pause. */
export function pauseRollout({ ctx, input }: ServiceCall<{ rolloutId: string }>): RolloutView {
  return operatorAction(ctx, input.rolloutId, (actor) => ({ type: "pause", actor }), "rollout.pause");
}
