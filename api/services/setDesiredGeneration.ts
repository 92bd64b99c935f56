import { and, eq } from "drizzle-orm";
import type { DesiredGenerationSet } from "../../schemas/generated/desired-generation-set.js";
import { readDesired, type StoredDesired } from "../agents/queries.js";
import { desiredGenerations, releaseHosts } from "../db/schema/index.js";
import { actorLabel } from "../env.js";
import { NotFound, PreconditionFailed } from "../errors.js";
import { getMachine } from "../machines/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

export interface SetDesiredGenerationInput extends DesiredGenerationSet {
  machineId: string;
}

/**
 * Sets what a machine should run (the rollout scheduler calls this for every host of a batch; operators may pin
 * a machine through PUT /machines/{id}/desired). With a releaseId, the store path must be the release's
 * toplevel for the machine's host. Agents see the change on their next poll. Audit: desired-generation.set.
 */
export function setDesiredGeneration({ ctx, input }: ServiceCall<SetDesiredGenerationInput>): StoredDesired {
  return transact(ctx, () => {
    const machine = getMachine(ctx.db, input.machineId);
    if (machine.lifecycle === "decommissioned")
      throw new PreconditionFailed(`machine ${machine.id} is decommissioned`, { machineId: machine.id });
    if (input.releaseId) {
      const host = ctx.db.orm
        .select()
        .from(releaseHosts)
        .where(and(eq(releaseHosts.releaseId, input.releaseId), eq(releaseHosts.host, machine.hostName)))
        .get();
      if (!host)
        throw new NotFound(`release ${input.releaseId} has no host ${machine.hostName}`, {
          releaseId: input.releaseId,
        });
      if (input.storePath !== null && host.toplevel !== input.storePath)
        throw new PreconditionFailed(
          `release ${input.releaseId} puts ${host.toplevel} on ${machine.hostName}, not ${input.storePath}`,
        );
    }
    const before = readDesired(ctx.db, input.machineId);
    const values = {
      machineId: input.machineId,
      storePath: input.storePath,
      releaseId: input.releaseId ?? null,
      rolloutId: input.rolloutId ?? null,
      cacheUrl: input.cacheUrl ?? null,
      confirmWindowMs: input.confirmWindowMs ?? null,
      healthTimeoutMs: input.healthTimeoutMs ?? null,
      healthChecks: input.healthChecks ? JSON.stringify(input.healthChecks) : null,
      pollAfterMs: input.pollAfterMs ?? null,
      version: (before?.version ?? 0) + 1,
      updatedAt: ctx.clock.now(),
      updatedBy: actorLabel(ctx.actor),
    };
    ctx.db.orm
      .insert(desiredGenerations)
      .values(values)
      .onConflictDoUpdate({ target: desiredGenerations.machineId, set: values })
      .run();
    const after = readDesired(ctx.db, input.machineId);
    recordAudit(ctx, {
      action: "desired-generation.set",
      target: { type: "machine", id: input.machineId },
      before: before ?? null,
      after,
    });
    if (!after) throw new Error("desired generation vanished inside its own transaction");
    return after;
  });
}
