import type { AgentConfirm } from "../../schemas/generated/agent-confirm.js";
import { desiredRow } from "../agents/queries.js";
import { generationConfirmations } from "../db/schema/index.js";
import { Conflict, NotFound } from "../errors.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/**
 * Accepts an agent's confirmation that its generation passed health checks, but only while that store path is
 * still the machine's desired one: otherwise Conflict (409), and the agent rolls back. Audit: machine.confirm.
 */
export function confirmGeneration({ ctx, input }: ServiceCall<AgentConfirm>): { seq: number } {
  return transact(ctx, () => {
    const row = desiredRow(ctx.db, input.machineId);
    if (!row) throw new NotFound(`machine ${input.machineId} is not registered`);
    if (row.lifecycle === "decommissioned" || row.storePath !== input.storePath)
      throw new Conflict(`${input.storePath} is no longer the desired generation of ${input.machineId}`, {
        desiredStorePath: row.storePath,
      });
    if ((input.rolloutId ?? null) !== null && row.rolloutId !== null && input.rolloutId !== row.rolloutId)
      throw new Conflict(`rollout ${input.rolloutId} is no longer the one driving ${input.machineId}`);
    const seq = Number(
      ctx.db.orm
        .insert(generationConfirmations)
        .values({
          machineId: input.machineId,
          rolloutId: input.rolloutId ?? row.rolloutId,
          storePath: input.storePath,
          healthChecks: input.healthChecks ? JSON.stringify(input.healthChecks) : null,
          confirmedAt: ctx.clock.now(),
        })
        .run().lastInsertRowid,
    );
    recordAudit(ctx, {
      action: "machine.confirm",
      target: { type: "machine", id: input.machineId },
      after: { seq, storePath: input.storePath, rolloutId: input.rolloutId ?? row.rolloutId },
    });
    return { seq };
  });
}
