import type { Machine } from "../../schemas/generated/machine.js";
import type { MachineRegister } from "../../schemas/generated/machine-register.js";
import { newId } from "../../schemas/ids.js";
import { machines, machineTags } from "../db/schema/index.js";
import { Conflict } from "../errors.js";
import { findMachine, getMachine } from "../machines/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/** Registers a machine (lifecycle "registered" until its agent first reports). Audit: machine.register. */
export function registerMachine({ ctx, input }: ServiceCall<MachineRegister>): Machine {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const id = input.id ?? newId("mch", now);
    if (findMachine(ctx.db, id)) throw new Conflict(`machine ${id} is already registered`, { machineId: id });
    ctx.db.orm
      .insert(machines)
      .values({
        id,
        hostName: input.hostName ?? id,
        platform: input.platform ?? null,
        lifecycle: "registered",
        registeredAt: now,
        updatedAt: now,
      })
      .run();
    for (const tag of input.tags ?? []) ctx.db.orm.insert(machineTags).values({ machineId: id, tag }).run();
    const machine = getMachine(ctx.db, id);
    recordAudit(ctx, { action: "machine.register", target: { type: "machine", id }, after: machine });
    return machine;
  });
}
