/** /api/v1/machines: register, list (tag filters, cursor pages), show, update, decommission, desired state, reports. */
import type { Context } from "hono";
import type { DesiredGenerationSet } from "../../schemas/generated/desired-generation-set.js";
import type { MachineRegister } from "../../schemas/generated/machine-register.js";
import type { MachineUpdate } from "../../schemas/generated/machine-update.js";
import { readDesired } from "../agents/queries.js";
import { listAgentReports } from "../agents/reports.js";
import type { AppEnv } from "../env.js";
import { BadRequest, NotFound } from "../errors.js";
import {
  decodeCursor,
  encodeCursor,
  intQuery,
  PAGE_QUERY,
  pageSize,
  readJson,
  stringQuery,
} from "../http/input.js";
import { Resource } from "../http/resource.js";
import type { ServiceContext } from "../services/context.js";
import { decommissionMachine } from "../services/decommissionMachine.js";
import { registerMachine } from "../services/registerMachine.js";
import { setDesiredGeneration } from "../services/setDesiredGeneration.js";
import { updateMachine } from "../services/updateMachine.js";
import { getMachine, listMachines } from "./queries.js";

/** The service context of a request: its actor, database, clock and request id. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const { db, clock } = c.get("deps");
  return { db, clock, actor: c.get("actor"), requestId: c.get("requestId") };
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
const machineList = {
  type: "object",
  required: ["items"],
  properties: {
    items: { type: "array", items: { $ref: "machine.schema.json" } },
    nextCursor: { type: "string" },
  },
};

export const machinesResource = new Resource("machines", "The fleet inventory")
  .op(
    {
      id: "machines.register",
      method: "post",
      path: "/machines",
      summary: "Register a machine",
      access: "operate",
      body: "machine-register",
      responses: [{ status: 201, description: "registered", schema: "machine" }],
    },
    async (c) => {
      const input = await readJson<MachineRegister>(c, "machine-register");
      return c.json(registerMachine({ ctx: serviceContext(c), input }), 201);
    },
  )
  .op(
    {
      id: "machines.list",
      method: "get",
      path: "/machines",
      summary:
        "List machines, filtered by tags (all must match) and lifecycle, in cursor pages ordered by id",
      access: "read",
      query: [
        {
          name: "tag",
          description: "a tag the machine must carry (repeatable)",
          schema: { type: "string", maxLength: 64 },
          repeated: true,
        },
        {
          name: "lifecycle",
          description: "lifecycle state",
          schema: { type: "string", enum: ["registered", "active", "maintenance", "decommissioned"] },
        },
        ...PAGE_QUERY,
      ],
      responses: [{ status: 200, description: "a page of machines", schema: machineList }],
    },
    (c) => {
      const tags = c.req.queries("tag") ?? [];
      if (tags.length > 16 || tags.some((t) => !TAG.test(t)))
        throw new BadRequest("tag filters: at most 16, each a valid tag");
      const lifecycle = stringQuery(c, "lifecycle", /^(registered|active|maintenance|decommissioned)$/) as
        | "registered"
        | "active"
        | "maintenance"
        | "decommissioned"
        | undefined;
      const after = decodeCursor<string>(c, "string");
      const page = listMachines(c.get("deps").db, { tags, lifecycle, after, limit: pageSize(c) });
      return c.json(
        page.next ? { items: page.items, nextCursor: encodeCursor(page.next) } : { items: page.items },
      );
    },
  )
  .op(
    {
      id: "machines.show",
      method: "get",
      path: "/machines/:id",
      summary: "Show a machine",
      access: "read",
      responses: [{ status: 200, description: "the machine", schema: "machine" }],
    },
    (c) => c.json(getMachine(c.get("deps").db, c.req.param("id") ?? "")),
  )
  .op(
    {
      id: "machines.update",
      method: "patch",
      path: "/machines/:id",
      summary:
        "Change lifecycle (active, maintenance), host name or operator-set tags (409 when removing a tag the machine's agent declares)",
      access: "operate",
      body: "machine-update",
      responses: [
        { status: 200, description: "the changed machine", schema: "machine" },
        { status: 409, description: "a tag to remove is declared by the machine's agent configuration" },
      ],
    },
    async (c) => {
      const change = await readJson<MachineUpdate>(c, "machine-update");
      return c.json(
        updateMachine({ ctx: serviceContext(c), input: { id: c.req.param("id") ?? "", change } }),
      );
    },
  )
  .op(
    {
      id: "machines.decommission",
      method: "post",
      path: "/machines/:id/decommission",
      summary: "Decommission a machine: clears its desired generation and revokes its agent tokens",
      access: "operate",
      responses: [{ status: 200, description: "the decommissioned machine", schema: "machine" }],
    },
    (c) => {
      const machine = decommissionMachine({ ctx: serviceContext(c), input: { id: c.req.param("id") ?? "" } });
      c.get("runtime").credentials.forgetTokens();
      return c.json(machine);
    },
  )
  .op(
    {
      id: "machines.desired.show",
      method: "get",
      path: "/machines/:id/desired",
      summary: "Show the desired generation set for a machine",
      access: "read",
      responses: [{ status: 200, description: "the desired generation (404 when none is set)" }],
    },
    (c) => {
      const id = c.req.param("id") ?? "";
      getMachine(c.get("deps").db, id);
      const desired = readDesired(c.get("deps").db, id);
      if (!desired) throw new NotFound(`no desired generation is set for ${id}`);
      return c.json(desired);
    },
  )
  .op(
    {
      id: "machines.desired.set",
      method: "put",
      path: "/machines/:id/desired",
      summary: "Pin the desired generation of one machine (rollouts do this batch by batch)",
      access: "operate",
      body: "desired-generation-set",
      responses: [{ status: 200, description: "the desired generation now in force" }],
    },
    async (c) => {
      const input = await readJson<DesiredGenerationSet>(c, "desired-generation-set");
      return c.json(
        setDesiredGeneration({
          ctx: serviceContext(c),
          input: { ...input, machineId: c.req.param("id") ?? "" },
        }),
      );
    },
  )
  .op(
    {
      id: "machines.reports.list",
      method: "get",
      path: "/machines/:id/reports",
      summary: "The machine's agent status reports, newest first",
      access: "read",
      query: [
        {
          name: "rolloutId",
          description: "only reports about this rollout",
          schema: { type: "string", maxLength: 64 },
        },
        ...PAGE_QUERY,
      ],
      responses: [{ status: 200, description: "a page of reports" }],
    },
    (c) => {
      const id = c.req.param("id") ?? "";
      getMachine(c.get("deps").db, id);
      const before = decodeCursor<number>(c, "number");
      const page = listAgentReports(c.get("deps").db, {
        machineId: id,
        rolloutId: stringQuery(c, "rolloutId", /^[A-Za-z0-9._:-]{1,64}$/),
        before,
        limit: intQuery(c, "limit", 50, 1, 500),
      });
      return c.json(
        page.next !== undefined
          ? { items: page.items, nextCursor: encodeCursor(page.next) }
          : { items: page.items },
      );
    },
  );
