/** /api/v1/agents/{machineId}/…: what agents call. Only the machine's own agent (certificate or machine token). */
import type { AgentConfirm } from "../../schemas/generated/agent-confirm.js";
import type { AgentStatusReport } from "../../schemas/generated/agent-status-report.js";
import type { EvidenceBatch } from "../../schemas/generated/evidence-batch.js";
import { BadRequest, Forbidden, NotFound } from "../errors.js";
import { readJson } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { confirmGeneration } from "../services/confirmGeneration.js";
import { ingestEvidence } from "../services/ingestEvidence.js";
import { recordAgentReport } from "../services/recordAgentReport.js";
import { desiredDocument, desiredRow } from "./queries.js";

function sameMachine(pathId: string, bodyId: string): void {
  if (pathId !== bodyId)
    throw new BadRequest(`the body names machine ${bodyId.slice(0, 128)}, the path ${pathId}`);
}

export const agentsResource = new Resource(
  "agents",
  "Agent endpoints: desired generation, reports, confirmations, evidence",
)
  .op(
    {
      id: "agents.desired",
      method: "get",
      path: "/agents/:machineId/desired",
      summary: "The generation this machine should run, and when to ask again (pollAfterMs)",
      access: "agent",
      responses: [{ status: 200, description: "the desired generation", schema: "desired-generation" }],
    },
    (c) => {
      const machineId = c.req.param("machineId") ?? "";
      const row = desiredRow(c.get("deps").db, machineId);
      if (!row) throw new NotFound(`machine ${machineId} is not registered`);
      if (row.lifecycle === "decommissioned") throw new Forbidden(`machine ${machineId} is decommissioned`);
      return c.json(desiredDocument(machineId, row, c.get("deps").config.pollAfterMs));
    },
  )
  .op(
    {
      id: "agents.report",
      method: "post",
      path: "/agents/:machineId/report",
      summary: "Report progress on the desired generation",
      access: "agent",
      body: "agent-status-report",
      responses: [
        {
          status: 202,
          description: "recorded",
          schema: { type: "object", properties: { seq: { type: "integer" } } },
        },
      ],
    },
    async (c) => {
      const input = await readJson<AgentStatusReport>(c, "agent-status-report");
      sameMachine(c.req.param("machineId") ?? "", input.machineId);
      const recorded = recordAgentReport({ ctx: serviceContext(c), input });
      c.get("runtime").metrics.agentReports.inc({ state: input.state });
      return c.json(recorded, 202);
    },
  )
  .op(
    {
      id: "agents.confirm",
      method: "post",
      path: "/agents/:machineId/confirm",
      summary: "Confirm the generation passed its health checks (409: no longer desired, roll back)",
      access: "agent",
      body: "agent-confirm",
      responses: [
        {
          status: 200,
          description: "accepted",
          schema: { type: "object", properties: { accepted: { type: "boolean" }, seq: { type: "integer" } } },
        },
        { status: 409, description: "the generation is no longer desired", schema: "problem" },
      ],
    },
    async (c) => {
      const input = await readJson<AgentConfirm>(c, "agent-confirm");
      sameMachine(c.req.param("machineId") ?? "", input.machineId);
      const { seq } = confirmGeneration({ ctx: serviceContext(c), input });
      return c.json({ accepted: true, seq });
    },
  )
  .op(
    {
      id: "agents.evidence",
      method: "post",
      path: "/agents/:machineId/evidence",
      summary: "Ingest a batch of runtime evidence; items are deduplicated by idempotency key",
      access: "agent",
      body: "evidence-batch",
      responses: [
        {
          status: 200,
          description: "every item is stored (or was already)",
          schema: {
            type: "object",
            properties: {
              accepted: { type: "integer" },
              stored: { type: "integer" },
              duplicates: { type: "integer" },
            },
          },
        },
      ],
    },
    async (c) => {
      const input = await readJson<EvidenceBatch>(c, "evidence-batch");
      sameMachine(c.req.param("machineId") ?? "", input.machineId);
      const outcome = ingestEvidence({ ctx: serviceContext(c), input });
      const { metrics } = c.get("runtime");
      metrics.evidenceIngested.inc({ outcome: "stored" }, outcome.stored);
      metrics.evidenceIngested.inc({ outcome: "duplicate" }, outcome.duplicates);
      return c.json(outcome);
    },
  );
