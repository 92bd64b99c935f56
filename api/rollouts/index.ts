/** /api/v1/rollouts: plan (dry run), start, list, show, events (long-poll and server-sent events), operator actions. */
import { streamSSE } from "hono/streaming";
import type { RolloutAbort } from "../../schemas/generated/rollout-abort.js";
import type { RolloutRequest } from "../../schemas/generated/rollout-request.js";
import { PreconditionFailed } from "../errors.js";
import {
  decodeCursor,
  encodeCursor,
  intQuery,
  PAGE_QUERY,
  pageSize,
  readJson,
  stringQuery,
} from "../http/input.js";
import { type Handler, type OperationSpec, Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { gateDecisionsOf } from "../policy/queries.js";
import {
  getRolloutView,
  type HostFilter,
  listRollouts,
  type RolloutView,
  rolloutEventsSince,
} from "./queries.js";
import { abortRollout } from "./services/abortRollout.js";
import { pauseRollout } from "./services/pauseRollout.js";
import { planRolloutRequest } from "./services/planRollout.js";
import { promoteRollout } from "./services/promoteRollout.js";
import { resumeRollout } from "./services/resumeRollout.js";
import { retryRollout } from "./services/retryRollout.js";
import { startRollout } from "./services/startRollout.js";
import { getRolloutRow } from "./store.js";

const TERMINAL = new Set(["succeeded", "failed", "aborted"]);
const STATUSES = ["pending", "running", "paused", "succeeded", "failed", "aborted"];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const rolloutList = {
  type: "object",
  required: ["items"],
  properties: {
    items: { type: "array", items: { $ref: "rollout.schema.json" } },
    nextCursor: { type: "string" },
  },
};
const eventPage = {
  type: "object",
  required: ["items", "after", "status"],
  properties: {
    items: { type: "array", items: { $ref: "rollout-event.schema.json" } },
    after: { type: "integer", description: "pass as ?after= to continue" },
    status: { $ref: "rollout.schema.json#/$defs/status" },
  },
};
const started = {
  type: "object",
  required: ["rollout", "gate"],
  properties: {
    rollout: { $ref: "rollout.schema.json" },
    gate: {
      type: "object",
      properties: {
        decisionId: { type: "string" },
        evidenceId: { type: "string" },
        decision: { $ref: "gate-decision.schema.json" },
      },
    },
  },
};

function operatorRoute(
  verb: "pause" | "resume" | "promote" | "retry",
  summary: string,
  service: (call: { ctx: ReturnType<typeof serviceContext>; input: { rolloutId: string } }) => RolloutView,
): [OperationSpec, Handler] {
  return [
    {
      id: `rollouts.${verb}`,
      method: "post",
      path: `/rollouts/:id/${verb}`,
      summary,
      access: "operate",
      responses: [
        { status: 200, description: "the rollout after the action", schema: "rollout" },
        { status: 409, description: "not possible in the rollout's current state" },
      ],
    },
    (c) => c.json(service({ ctx: serviceContext(c), input: { rolloutId: c.req.param("id") ?? "" } })),
  ];
}

export const rolloutsResource = new Resource("rollouts", "Governed rollouts: plan, start, watch, and steer")
  .op(
    {
      id: "rollouts.plan",
      method: "post",
      path: "/rollouts/plan",
      summary: "Dry run: the batches and the governance gate's decision, without starting anything",
      access: "read",
      body: "rollout-request",
      responses: [{ status: 200, description: "the plan", schema: "rollout-plan" }],
    },
    async (c) => {
      const input = await readJson<RolloutRequest>(c, "rollout-request");
      return c.json(planRolloutRequest({ ctx: serviceContext(c), input }));
    },
  )
  .op(
    {
      id: "rollouts.start",
      method: "post",
      path: "/rollouts",
      summary:
        "Start a rollout (or, with rollbackOf, a rollback). 412 when the governance gate blocks (the decision is stored as evidence); 409 when a target is in another active rollout",
      access: "operate",
      body: "rollout-request",
      responses: [
        { status: 201, description: "started", schema: started },
        { status: 409, description: "a target is already in an active rollout" },
        { status: 412, description: "the governance gate blocked the release" },
      ],
    },
    async (c) => {
      const input = await readJson<RolloutRequest>(c, "rollout-request");
      const result = startRollout({ ctx: serviceContext(c), input });
      if (!result.started) {
        const blocking = result.gate.decision.reasons.filter((r) => r.blocking);
        throw new PreconditionFailed(
          `the governance gate blocked the rollout: ${blocking.length} blocking reason(s)${
            blocking[0] ? `, first: ${blocking[0].controlId} on ${blocking[0].host} (${blocking[0].why})` : ""
          }`,
          {
            rolloutId: result.rolloutId,
            gateDecisionId: result.gate.decisionId,
            evidenceId: result.gate.evidenceId,
            decision: result.gate.decision,
          },
        );
      }
      return c.json({ rollout: result.rollout, gate: result.gate }, 201);
    },
  )
  .op(
    {
      id: "rollouts.list",
      method: "get",
      path: "/rollouts",
      summary: "List rollouts, newest first",
      access: "read",
      query: [
        {
          name: "status",
          description: "only rollouts in this state",
          schema: { type: "string", enum: STATUSES },
        },
        ...PAGE_QUERY,
      ],
      responses: [{ status: 200, description: "a page of rollouts", schema: rolloutList }],
    },
    (c) => {
      const status = stringQuery(c, "status", new RegExp(`^(${STATUSES.join("|")})$`)) as
        | Parameters<typeof listRollouts>[1]["status"]
        | undefined;
      const before = decodeCursor<string>(c, "string");
      const page = listRollouts(c.var.deps.db, { status, before, limit: pageSize(c) });
      return c.json(
        page.next ? { items: page.items, nextCursor: encodeCursor(page.next) } : { items: page.items },
      );
    },
  )
  .op(
    {
      id: "rollouts.show",
      method: "get",
      path: "/rollouts/:id",
      summary:
        "One rollout: status, batches with progress, and hosts (none, those needing attention, or all)",
      access: "read",
      query: [
        {
          name: "hosts",
          description: "which hosts to list (default problems: in flight, failed, inconclusive)",
          schema: { type: "string", enum: ["none", "problems", "all"] },
        },
      ],
      responses: [{ status: 200, description: "the rollout", schema: "rollout" }],
    },
    (c) => {
      const hosts = (stringQuery(c, "hosts", /^(none|problems|all)$/) ?? "problems") as HostFilter;
      return c.json(getRolloutView(c.var.deps.db, c.req.param("id") ?? "", hosts));
    },
  )
  .op(
    {
      id: "rollouts.gate-decisions",
      method: "get",
      path: "/rollouts/:id/gate-decisions",
      summary:
        "Every governance gate decision of the rollout, as evidence records (kind gate-decision); also for a start the gate blocked (the rollout id of its 412 answer)",
      access: "read",
      responses: [
        {
          status: 200,
          description: "evidence records",
          schema: {
            type: "object",
            properties: { items: { type: "array", items: { $ref: "evidence-record.schema.json" } } },
          },
        },
      ],
    },
    (c) => {
      const id = c.req.param("id") ?? "";
      // A start the gate blocked leaves no rollout row, only its decision: that record must stay readable.
      const items = gateDecisionsOf(c.var.deps.db, id);
      if (items.length === 0) getRolloutRow(c.var.deps.db, id);
      return c.json({ items });
    },
  )
  .op(
    {
      id: "rollouts.events",
      method: "get",
      path: "/rollouts/:id/events",
      summary:
        "Events after a sequence number (long-poll: with wait, the answer comes as soon as there is something new, or after wait ms)",
      access: "read",
      query: [
        { name: "after", description: "last seq seen (default 0)", schema: { type: "integer", minimum: 0 } },
        {
          name: "wait",
          description: "long-poll up to this many ms (0-30000)",
          schema: { type: "integer", minimum: 0, maximum: 30000 },
        },
      ],
      responses: [{ status: 200, description: "events, oldest first", schema: eventPage }],
    },
    async (c) => {
      const { db } = c.var.deps;
      const id = c.req.param("id") ?? "";
      const after = intQuery(c, "after", 0, 0, Number.MAX_SAFE_INTEGER);
      const wait = intQuery(c, "wait", 0, 0, 30_000);
      const deadline = Date.now() + wait;
      for (;;) {
        const row = getRolloutRow(db, id);
        const items = rolloutEventsSince(db, id, after);
        if (items.length > 0 || TERMINAL.has(row.status) || Date.now() >= deadline)
          return c.json({ items, after: items.at(-1)?.seq ?? after, status: row.status });
        await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
      }
    },
  )
  .op(
    {
      id: "rollouts.stream",
      method: "get",
      path: "/rollouts/:id/stream",
      summary:
        "Server-sent events: `status` (the rollout with its batches) whenever it changes, `rollout-event` for each event; ends when the rollout is over",
      access: "read",
      query: [
        { name: "after", description: "last seq seen (default 0)", schema: { type: "integer", minimum: 0 } },
      ],
      responses: [{ status: 200, description: "an event stream", contentType: "text/event-stream" }],
    },
    (c) => {
      const { db } = c.var.deps;
      const id = c.req.param("id") ?? "";
      getRolloutRow(db, id);
      const lastEventId = c.req.header("last-event-id");
      let after =
        lastEventId && /^\d{1,15}$/.test(lastEventId)
          ? Number(lastEventId)
          : intQuery(c, "after", 0, 0, Number.MAX_SAFE_INTEGER);
      return streamSSE(c, async (stream) => {
        let version = -1;
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        while (!closed) {
          const row = getRolloutRow(db, id);
          for (const event of rolloutEventsSince(db, id, after)) {
            await stream.writeSSE({
              event: "rollout-event",
              id: String(event.seq),
              data: JSON.stringify(event),
            });
            after = event.seq;
          }
          if (row.version !== version) {
            version = row.version;
            await stream.writeSSE({ event: "status", data: JSON.stringify(getRolloutView(db, id, "none")) });
          }
          if (TERMINAL.has(row.status) && rolloutEventsSince(db, id, after, 1).length === 0) break;
          await sleep(250);
        }
      });
    },
  )
  .op(...operatorRoute("pause", "Pause: assign nothing new; hosts in flight still report", pauseRollout))
  .op(
    ...operatorRoute(
      "resume",
      "Resume a paused rollout (re-asks a blocked gate; accepts a failed or inconclusive batch)",
      resumeRollout,
    ),
  )
  .op(
    ...operatorRoute(
      "promote",
      "Skip the current batch's bake (resumes a paused rollout; never skips the gate)",
      promoteRollout,
    ),
  )
  .op(
    ...operatorRoute("retry", "Queue the current batch's failed and inconclusive hosts again", retryRollout),
  )
  .op(
    {
      id: "rollouts.abort",
      method: "post",
      path: "/rollouts/:id/abort",
      summary:
        "Abort for good: keep updated hosts, or revert (a rollback rollout to each host's previous generation)",
      access: "operate",
      body: "rollout-abort",
      responses: [
        { status: 200, description: "the rollout after the abort", schema: "rollout" },
        { status: 409, description: "the rollout is already over" },
      ],
    },
    async (c) => {
      const input = await readJson<RolloutAbort>(c, "rollout-abort");
      return c.json(
        abortRollout({
          ctx: serviceContext(c),
          input: { rolloutId: c.req.param("id") ?? "", revert: input.revert },
        }),
      );
    },
  );
