/** One attempt of a health check: pass, fail (the thing is unhealthy) or error (the check could not run). */
import type { HealthCheck } from "../../schemas/generated/health-check.js";

export interface ProbeOutcome {
  status: "pass" | "fail" | "error";
  message: string;
}

/** A health-check kind: one attempt, bounded by timeoutMs. Never throws. */
export type Probe = (check: HealthCheck, timeoutMs: number, env: NodeJS.ProcessEnv) => Promise<ProbeOutcome>;
