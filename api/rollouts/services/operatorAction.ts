/**
 * The shared body of pause/resume/promote/abort/retry: load the rollout, step the engine with the operator's
 * event, persist the new rows and the commands, and write the audit event — one transaction. The commands
 * are applied afterwards by the scheduler (persisted first, so a crash in between loses nothing).
 */
import { type RolloutEvent, step } from "../../../engine/rollout/index.js";
import { actorLabel } from "../../env.js";
import { Conflict } from "../../errors.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceContext, transact } from "../../services/context.js";
import { getRolloutView, type RolloutView } from "../queries.js";
import { emptyWrite, loadRollout, mergeStep, persistWrite } from "../store.js";

export type OperatorEvent = Extract<
  RolloutEvent,
  { type: "pause" | "resume" | "promote" | "abort" | "retry" }
>;

export function operatorAction(
  ctx: ServiceContext,
  rolloutId: string,
  makeEvent: (actor: string) => OperatorEvent,
  action: string,
): RolloutView {
  return transact(ctx, () => {
    const loaded = loadRollout(ctx.db, rolloutId);
    const now = ctx.clock.now();
    const event = makeEvent(actorLabel(ctx.actor));
    const result = step(loaded.state, event, now);
    if (result.rejected)
      throw new Conflict(`cannot ${event.type} rollout ${rolloutId}: ${result.rejected}`, {
        rolloutId,
        status: loaded.state.status,
      });
    const before = summary(loaded.state);
    persistWrite(ctx.db, mergeStep(emptyWrite(loaded.state), result), loaded.row.version, now);
    recordAudit(ctx, {
      action,
      target: { type: "rollout", id: rolloutId },
      before,
      after: { ...summary(result.state), ...("revert" in event ? { revert: event.revert } : {}) },
    });
    return getRolloutView(ctx.db, rolloutId);
  });
}

function summary(s: { status: string; current: number; pauseReason: string | null; failedTotal: number }) {
  return {
    status: s.status,
    currentBatch: s.current,
    pauseReason: s.pauseReason,
    failedHosts: s.failedTotal,
  };
}
