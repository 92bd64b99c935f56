import { eq } from "drizzle-orm";
import type { Machine } from "../../schemas/generated/machine.js";
import type { MachineUpdate } from "../../schemas/generated/machine-update.js";
import { machines } from "../db/schema/index.js";
import { PreconditionFailed } from "../errors.js";
import { getMachine } from "../machines/queries.js";
import { applyTagChange, operatorTagChange, tagRows } from "../machines/tags.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/**
 * Changes a machine's lifecycle (active / maintenance), host name or operator-set tags (409 for removing a tag
 * the machine's agent declares). Audit: machine.update.
 */
export function updateMachine({ ctx, input }: ServiceCall<{ id: string; change: MachineUpdate }>): Machine {
  return transact(ctx, () => {
    const before = getMachine(ctx.db, input.id);
    if (before.lifecycle === "decommissioned")
      throw new PreconditionFailed(`machine ${input.id} is decommissioned and cannot change`, {
        machineId: input.id,
      });
    const { change } = input;
    const set: Partial<typeof machines.$inferInsert> = { updatedAt: ctx.clock.now() };
    if (change.lifecycle) set.lifecycle = change.lifecycle;
    if (change.hostName) set.hostName = change.hostName;
    ctx.db.orm.update(machines).set(set).where(eq(machines.id, input.id)).run();
    // operators edit operator-set tags; the agent's declared tags are its configuration's (api/machines/tags.ts)
    applyTagChange(ctx.db, input.id, operatorTagChange(tagRows(ctx.db, input.id), change), "operator");
    const after = getMachine(ctx.db, input.id);
    recordAudit(ctx, { action: "machine.update", target: { type: "machine", id: input.id }, before, after });
    return after;
  });
}
