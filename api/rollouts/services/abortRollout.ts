import type { ServiceCall } from "../../services/context.js";
import type { RolloutView } from "../queries.js";
import { operatorAction } from "./operatorAction.js";

/**
 * Aborts a rollout for good. keep: updated hosts stay, hosts in flight keep what they run now; revert: a
 * rollback rollout brings every host this rollout touched back to its previous generation. Audit: rollout.abort.
 */
export function abortRollout({
  ctx,
  input,
}: ServiceCall<{ rolloutId: string; revert: boolean }>): RolloutView {
  return operatorAction(
    ctx,
    input.rolloutId,
    (actor) => ({ type: "abort", actor, revert: input.revert }),
    "rollout.abort",
  );
}
