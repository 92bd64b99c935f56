/** /api/v1/waivers: request (operators), approve and revoke (admins, four eyes), list. */
import type { WaiverRecord } from "../../schemas/generated/waiver-record.js";
import type { WaiverRequest } from "../../schemas/generated/waiver-request.js";
import type { WaiverRevoke } from "../../schemas/generated/waiver-revoke.js";
import { readJson, stringQuery } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { getWaiverRow, listWaivers, toWaiverRecord } from "./queries.js";
import { approveWaiver } from "./services/approveWaiver.js";
import { requestWaiver } from "./services/requestWaiver.js";
import { revokeWaiver } from "./services/revokeWaiver.js";

const STATES = ["requested", "active", "expired", "revoked"];

export const waiversResource = new Resource("waivers", "Approved, time-boxed exceptions to a control")
  .op(
    {
      id: "waivers.request",
      method: "post",
      path: "/waivers",
      summary: "Request a waiver; it counts only after an admin other than the requester approves it",
      access: "operate",
      body: "waiver-request",
      responses: [{ status: 201, description: "requested", schema: "waiver-record" }],
    },
    async (c) => {
      const input = await readJson<WaiverRequest>(c, "waiver-request");
      return c.json(requestWaiver({ ctx: serviceContext(c), input }), 201);
    },
  )
  .op(
    {
      id: "waivers.list",
      method: "get",
      path: "/waivers",
      summary: "List waivers, newest first, with their state now",
      access: "read",
      query: [
        {
          name: "state",
          description: "only waivers in this state",
          schema: { type: "string", enum: STATES },
        },
      ],
      responses: [
        {
          status: 200,
          description: "waivers",
          schema: {
            type: "object",
            properties: { items: { type: "array", items: { $ref: "waiver-record.schema.json" } } },
          },
        },
      ],
    },
    (c) => {
      const state = stringQuery(c, "state", new RegExp(`^(${STATES.join("|")})$`)) as
        | WaiverRecord["state"]
        | undefined;
      return c.json({ items: listWaivers(c.var.deps.db, c.var.deps.clock.now(), state) });
    },
  )
  .op(
    {
      id: "waivers.show",
      method: "get",
      path: "/waivers/:id",
      summary: "One waiver",
      access: "read",
      responses: [{ status: 200, description: "the waiver", schema: "waiver-record" }],
    },
    (c) =>
      c.json(toWaiverRecord(getWaiverRow(c.var.deps.db, c.req.param("id") ?? ""), c.var.deps.clock.now())),
  )
  .op(
    {
      id: "waivers.approve",
      method: "post",
      path: "/waivers/:id/approve",
      summary: "Approve a requested waiver (an admin other than the requester)",
      access: "admin",
      responses: [
        { status: 200, description: "approved", schema: "waiver-record" },
        { status: 403, description: "the approver requested it (four eyes)" },
        { status: 409, description: "not in the requested state" },
      ],
    },
    (c) => c.json(approveWaiver({ ctx: serviceContext(c), input: { waiverId: c.req.param("id") ?? "" } })),
  )
  .op(
    {
      id: "waivers.revoke",
      method: "post",
      path: "/waivers/:id/revoke",
      summary: "Revoke a waiver: it stops counting at once",
      access: "admin",
      body: "waiver-revoke",
      responses: [{ status: 200, description: "revoked", schema: "waiver-record" }],
    },
    async (c) => {
      const input = await readJson<WaiverRevoke>(c, "waiver-revoke");
      return c.json(
        revokeWaiver({
          ctx: serviceContext(c),
          input: { waiverId: c.req.param("id") ?? "", reason: input.reason },
        }),
      );
    },
  );
