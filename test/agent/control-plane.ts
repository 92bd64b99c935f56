/**
 * A small control plane for agent tests: the four agent endpoints per the shared schemas (desired, report,
 * confirm, evidence) with idempotency-key deduplication, served over real HTTP. It can go away and come back
 * on the same port (an outage).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener, type HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import type { AgentConfirm } from "../../schemas/generated/agent-confirm.js";
import type { AgentStatusReport } from "../../schemas/generated/agent-status-report.js";
import type { DesiredGeneration } from "../../schemas/generated/desired-generation.js";
import type { EvidenceBatch } from "../../schemas/generated/evidence-batch.js";
import { check, validate } from "../../schemas/registry.js";

export interface StoredEvidence {
  idempotencyKey: string;
  kind: string;
  payload: Record<string, unknown>;
}

export class TestControlPlane {
  desired = new Map<string, Omit<DesiredGeneration, "machineId">>();
  reports: AgentStatusReport[] = [];
  confirms: AgentConfirm[] = [];
  evidence = new Map<string, StoredEvidence>();
  /** every evidence item received, duplicates included: shows resends */
  evidenceReceived = 0;
  batches: EvidenceBatch[] = [];
  rejectConfirm = false;
  /** answer every evidence batch with this status instead of taking it */
  refuseEvidenceWith: 403 | 422 | null = null;
  /** store the next evidence batches but cut the connection instead of answering: the ack is lost */
  loseEvidenceAcks = 0;
  readonly tokens = new Map<string, string>([["agent-token-web-01", "web-01"]]);
  private server: Server | null = null;
  port = 0;

  readonly app = new Hono<{ Bindings: HttpBindings }>();

  constructor() {
    const app = this.app;
    app.use("/api/v1/agents/:machineId/*", async (c, next) => {
      const auth = c.req.header("authorization") ?? "";
      const machine = this.tokens.get(auth.replace(/^Bearer /, ""));
      if (!machine) return c.json({ title: "unauthorized" }, 401);
      if (machine !== c.req.param("machineId")) return c.json({ title: "forbidden" }, 403);
      await next();
    });
    app.get("/api/v1/agents/:machineId/desired", (c) => {
      const machineId = c.req.param("machineId");
      const body: DesiredGeneration = {
        machineId,
        storePath: null,
        pollAfterMs: 200,
        ...this.desired.get(machineId),
      };
      return c.json(validate<DesiredGeneration>("desired-generation", body));
    });
    app.post("/api/v1/agents/:machineId/report", async (c) => {
      const body: unknown = await c.req.json();
      const issues = check("agent-status-report", body);
      if (issues.length > 0) return c.json({ title: "invalid", issues }, 400);
      this.reports.push(body as AgentStatusReport);
      return c.body(null, 204);
    });
    app.post("/api/v1/agents/:machineId/confirm", async (c) => {
      const body: unknown = await c.req.json();
      const issues = check("agent-confirm", body);
      if (issues.length > 0) return c.json({ title: "invalid", issues }, 400);
      const confirm = body as AgentConfirm;
      const wanted = this.desired.get(c.req.param("machineId"))?.storePath;
      if (this.rejectConfirm || wanted !== confirm.storePath)
        return c.json({ title: "no longer desired" }, 409);
      this.confirms.push(confirm);
      return c.json({ accepted: true });
    });
    app.post("/api/v1/agents/:machineId/evidence", async (c) => {
      const body: unknown = await c.req.json();
      const issues = check("evidence-batch", body);
      if (issues.length > 0) return c.json({ title: "invalid", issues }, 400);
      const batch = body as EvidenceBatch;
      if (this.refuseEvidenceWith) return c.json({ title: "refused" }, this.refuseEvidenceWith);
      this.batches.push(batch);
      let stored = 0;
      for (const item of batch.items) {
        this.evidenceReceived++;
        if (this.evidence.has(item.idempotencyKey)) continue;
        this.evidence.set(item.idempotencyKey, {
          idempotencyKey: item.idempotencyKey,
          kind: item.kind,
          payload: item.payload,
        });
        stored++;
      }
      if (this.loseEvidenceAcks > 0) {
        this.loseEvidenceAcks--;
        c.env.incoming.socket.destroy();
      }
      return c.json({ accepted: batch.items.length, stored });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts after an outage) on the same port. */
  async start(): Promise<void> {
    const server = createServer(getRequestListener(this.app.fetch));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes away: stops listening and drops open keep-alive connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  outcomes(): string[] {
    return this.reports.map((r) => r.state);
  }
}
