/** Prometheus metrics of one app instance (its own registry, so tests can build many apps in one process). */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"operation" | "status">;
  readonly duration: Histogram<"operation">;
  readonly evidenceIngested: Counter<"outcome">;
  readonly agentReports: Counter<"state">;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "nixfleet_process_" });
    this.requests = new Counter({
      name: "nixfleet_http_requests_total",
      help: "HTTP requests by operation and status",
      labelNames: ["operation", "status"],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: "nixfleet_http_request_duration_seconds",
      help: "HTTP request duration by operation",
      labelNames: ["operation"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [this.registry],
    });
    this.evidenceIngested = new Counter({
      name: "nixfleet_evidence_items_total",
      help: "evidence items received from agents, by outcome (stored, duplicate)",
      labelNames: ["outcome"],
      registers: [this.registry],
    });
    this.agentReports = new Counter({
      name: "nixfleet_agent_reports_total",
      help: "agent status reports by reported state",
      labelNames: ["state"],
      registers: [this.registry],
    });
  }
}
