/** The agent's side of the control-plane API: mTLS (or loopback bearer token), keep-alive, typed bodies. */
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { AgentConfirm } from "../schemas/generated/agent-confirm.js";
import type { AgentStatusReport } from "../schemas/generated/agent-status-report.js";
import type { DesiredGeneration } from "../schemas/generated/desired-generation.js";
import type { EvidenceBatch } from "../schemas/generated/evidence-batch.js";
import type { ResolvedAgentConfig } from "./config.js";
import { validateAgentDocument } from "./validation/index.js";

/** The control plane could not be reached, timed out or failed (5xx): try again later. */
export class ControlPlaneUnavailable extends Error {
  override name = "ControlPlaneUnavailable";
}

/** The control plane answered with a 4xx: retrying the same request will not help. */
export class ControlPlaneRejected extends Error {
  override name = "ControlPlaneRejected";
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`control plane answered ${status}: ${body.slice(0, 500)}`);
  }

  /** The body itself was refused (400, 413, 422): sending it again can never succeed. */
  get bodyRefused(): boolean {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }
}

interface HttpAnswer {
  status: number;
  body: string;
}

export class ControlPlaneClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly base: URL;
  private readonly isHttps: boolean;

  constructor(private readonly config: ResolvedAgentConfig) {
    this.base = new URL(`${config.controlPlaneUrl}/`);
    this.isHttps = this.base.protocol === "https:";
    if (this.isHttps) {
      this.agent = new HttpsAgent({
        keepAlive: true,
        maxSockets: 2,
        ...(config.tls
          ? {
              cert: readFileSync(config.tls.cert),
              key: readFileSync(config.tls.key),
              ca: readFileSync(config.tls.ca),
            }
          : {}),
      });
    } else {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: 2 });
    }
  }

  private path(suffix: string): URL {
    return new URL(`api/v1/agents/${encodeURIComponent(this.config.machineId)}/${suffix}`, this.base);
  }

  private send(method: "GET" | "POST", url: URL, body: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(payload.length);
    }
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    const request = this.isHttps ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, headers, agent: this.agent, timeout: this.config.requestTimeoutMs, signal },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on("error", (err) =>
            reject(new ControlPlaneUnavailable(`${method} ${url.pathname}: ${err.message}`)),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.config.requestTimeoutMs} ms`)));
      req.on("error", (err: NodeJS.ErrnoException) =>
        reject(new ControlPlaneUnavailable(`${method} ${url.href}: ${err.code ?? ""} ${err.message}`.trim())),
      );
      if (payload) req.write(payload);
      req.end();
    });
  }

  private async call(
    method: "GET" | "POST",
    suffix: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<HttpAnswer> {
    const answer = await this.send(method, this.path(suffix), body, signal);
    if (answer.status >= 500 || answer.status === 429 || answer.status === 0)
      throw new ControlPlaneUnavailable(`${method} ${suffix}: status ${answer.status}`);
    return answer;
  }

  /** GET …/desired: what this machine should run. */
  async desired(signal?: AbortSignal): Promise<DesiredGeneration> {
    const answer = await this.call("GET", "desired", undefined, signal);
    if (answer.status !== 200) throw new ControlPlaneRejected(answer.status, answer.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new ControlPlaneUnavailable("desired: the answer is not JSON");
    }
    return validateAgentDocument("desired-generation", parsed, "control plane answer to GET desired");
  }

  /** POST …/report: progress and outcome. */
  async report(status: AgentStatusReport, signal?: AbortSignal): Promise<void> {
    const answer = await this.call("POST", "report", status, signal);
    if (answer.status >= 300) throw new ControlPlaneRejected(answer.status, answer.body);
  }

  /** POST …/confirm: true when accepted, false when the generation is no longer desired (409). */
  async confirm(body: AgentConfirm, signal?: AbortSignal): Promise<boolean> {
    const answer = await this.call("POST", "confirm", body, signal);
    if (answer.status === 409) return false;
    if (answer.status >= 300) throw new ControlPlaneRejected(answer.status, answer.body);
    return true;
  }

  /** POST …/evidence: a batch; the control plane deduplicates by idempotency key. */
  async sendEvidence(batch: EvidenceBatch, signal?: AbortSignal): Promise<void> {
    const answer = await this.call("POST", "evidence", batch, signal);
    if (answer.status >= 300) throw new ControlPlaneRejected(answer.status, answer.body);
  }

  close(): void {
    this.agent.destroy();
  }
}
