import { and, eq, inArray } from "drizzle-orm";
import type { Machine } from "../../schemas/generated/machine.js";
import type { MachineUpdate } from "../../schemas/generated/machine-update.js";
import { machines, machineTags } from "../db/schema/index.js";
import { PreconditionFailed } from "../errors.js";
import { getMachine } from "../machines/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/** Changes a machine's lifecycle (active / maintenance), host name or tags. Audit: machine.update. */
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
    let tags = new Set(before.tags);
    if (change.tags) tags = new Set(change.tags);
    for (const t of change.addTags ?? []) tags.add(t);
    for (const t of change.removeTags ?? []) tags.delete(t);
    if (tags.size > 64) throw new PreconditionFailed("a machine carries at most 64 tags");
    const removed = before.tags.filter((t) => !tags.has(t));
    const added = [...tags].filter((t) => !before.tags.includes(t));
    if (removed.length)
      ctx.db.orm
        .delete(machineTags)
        .where(and(eq(machineTags.machineId, input.id), inArray(machineTags.tag, removed)))
        .run();
    for (const tag of added) ctx.db.orm.insert(machineTags).values({ machineId: input.id, tag }).run();
    const after = getMachine(ctx.db, input.id);
    recordAudit(ctx, { action: "machine.update", target: { type: "machine", id: input.id }, before, after });
    return after;
  });
}
