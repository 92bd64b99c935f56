import { and, eq, isNull } from "drizzle-orm";
import type { Machine } from "../../schemas/generated/machine.js";
import { apiTokens, desiredGenerations, machines } from "../db/schema/index.js";
import { getMachine } from "../machines/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/**
 * Retires a machine: lifecycle "decommissioned", its desired generation cleared and its agent tokens revoked.
 * The row stays (evidence and audit refer to it). Idempotent. Audit: machine.decommission.
 */
export function decommissionMachine({ ctx, input }: ServiceCall<{ id: string }>): Machine {
  return transact(ctx, () => {
    const before = getMachine(ctx.db, input.id);
    if (before.lifecycle === "decommissioned") return before;
    const now = ctx.clock.now();
    ctx.db.orm
      .update(machines)
      .set({ lifecycle: "decommissioned", updatedAt: now })
      .where(eq(machines.id, input.id))
      .run();
    ctx.db.orm.delete(desiredGenerations).where(eq(desiredGenerations.machineId, input.id)).run();
    const revoked = ctx.db.orm
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.machineId, input.id), isNull(apiTokens.revokedAt)))
      .run().changes;
    const after = getMachine(ctx.db, input.id);
    recordAudit(ctx, {
      action: "machine.decommission",
      target: { type: "machine", id: input.id },
      before,
      after: { ...after, agentTokensRevoked: revoked },
    });
    return after;
  });
}
