/**
 * Starts a rollout: plan it, refuse hosts another active rollout holds (409, except for an explicit rollback
 * of that rollout, which it aborts), run the governance gate on the release's eval-time evidence, and — when
 * the gate allows — insert the rollout with its batches and hosts and step the engine's start event, whose
 * first assignments land in the outbox for the scheduler. A blocked gate still stores its decision (evidence
 * and audit), and nothing else. Audit: gate.decide, rollout.start (or rollout.blocked).
 */
import { createRolloutState, step } from "../../../engine/rollout/index.js";
import type { RolloutRequest } from "../../../schemas/generated/rollout-request.js";
import { actorLabel } from "../../env.js";
import { Conflict } from "../../errors.js";
import { type GateOutcome, runGate } from "../../policy/gate.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceCall, type ServiceContext, transact } from "../../services/context.js";
import { prepareRollout } from "../prepare.js";
import { getRolloutView, type RolloutView } from "../queries.js";
import { emptyWrite, insertRollout, loadRollout, mergeStep, persistWrite } from "../store.js";

export type StartRolloutResult =
  | { started: true; rollout: RolloutView; gate: GateOutcome }
  | { started: false; rolloutId: string; gate: GateOutcome };

export function startRollout({ ctx, input }: ServiceCall<RolloutRequest>): StartRolloutResult {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const plan = prepareRollout(ctx.db, input, now);
    const foreign = plan.conflicts.filter((c) => c.rolloutId !== plan.rollbackOf);
    if (foreign.length > 0)
      throw new Conflict(
        `${foreign.length} target(s) are already in an active rollout (first: ${foreign[0]!.machineId} in ${foreign[0]!.rolloutId}); only an explicit rollback may take them over`,
        { conflicts: foreign.slice(0, 100) },
      );
    if (plan.rollbackOf && plan.conflicts.length > 0) abortForRollback(ctx, plan.rollbackOf);

    const gate = runGate(ctx, {
      rolloutId: plan.id,
      releaseId: plan.releaseId,
      evalHosts: [...plan.targets.keys()],
      runtimeHosts: [],
      phase: "pre-rollout",
      batch: null,
      rollback: plan.rollbackOf !== null,
    });
    if (!gate.allow) {
      recordAudit(ctx, {
        action: "rollout.blocked",
        target: { type: "rollout", id: plan.id },
        after: { releaseId: plan.releaseId, gateDecisionId: gate.decisionId, evidenceId: gate.evidenceId },
      });
      return { started: false, rolloutId: plan.id, gate };
    }

    const actor = actorLabel(ctx.actor);
    const pending = createRolloutState(plan.id, plan.spec, plan.batches);
    insertRollout(ctx.db, {
      state: pending,
      spec: plan.spec,
      releaseId: plan.releaseId,
      rollbackOf: plan.rollbackOf,
      previousReleaseId: plan.previousReleaseId,
      targets: plan.targets,
      createdAt: now,
      createdBy: actor,
    });
    const started = step(
      pending,
      { type: "start", actor, gate: { allow: true, decisionId: gate.decisionId! } },
      now,
    );
    persistWrite(ctx.db, mergeStep(emptyWrite(pending), started), 1, now);
    if (plan.rollbackOf)
      ctx.db.sqlite
        .prepare("UPDATE rollouts SET revert_rollout_id = coalesce(revert_rollout_id, ?) WHERE id = ?")
        .run(plan.id, plan.rollbackOf);
    const rollout = getRolloutView(ctx.db, plan.id);
    recordAudit(ctx, {
      action: plan.rollbackOf ? "rollout.rollback" : "rollout.start",
      target: { type: "rollout", id: plan.id },
      after: {
        releaseId: plan.releaseId,
        rollbackOf: plan.rollbackOf,
        spec: plan.spec,
        targets: pending.targetsTotal,
        batches: plan.batches.map((b) => b.hosts.length),
        gateDecisionId: gate.decisionId,
      },
    });
    return { started: true, rollout, gate };
  });
}

/** An explicit rollback takes its hosts over from the rollout it undoes: that one stops, keeping its hosts. */
function abortForRollback(ctx: ServiceContext, rolloutId: string): void {
  const loaded = loadRollout(ctx.db, rolloutId);
  const r = step(
    loaded.state,
    { type: "abort", actor: actorLabel(ctx.actor), revert: false },
    ctx.clock.now(),
  );
  if (r.rejected) return;
  persistWrite(ctx.db, mergeStep(emptyWrite(loaded.state), r), loaded.row.version, ctx.clock.now());
  recordAudit(ctx, {
    action: "rollout.abort",
    target: { type: "rollout", id: rolloutId },
    before: { status: loaded.state.status },
    after: { status: r.state.status, reason: "taken over by an explicit rollback" },
  });
}
