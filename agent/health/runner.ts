/** Runs health checks in parallel, each with initial delay, retries, interval, timeout and a failure limit. */
import { setTimeout as sleep } from "node:timers/promises";
import type { HealthCheck } from "../../schemas/generated/health-check.js";
import type { HealthCheckResult } from "../../schemas/generated/health-check-result.js";
import { commandProbe } from "./command.js";
import { httpProbe } from "./http.js";
import { launchdProbe } from "./launchd.js";
import { systemdProbe } from "./systemd.js";
import { tcpProbe } from "./tcp.js";
import type { Probe, ProbeOutcome } from "./types.js";

export const PROBES: Record<HealthCheck["kind"], Probe> = {
  systemd: systemdProbe,
  launchd: launchdProbe,
  http: httpProbe,
  tcp: tcpProbe,
  command: commandProbe,
};

export interface HealthRunOptions {
  env: NodeJS.ProcessEnv;
  /** all checks together must finish before this; unfinished checks end as error */
  overallTimeoutMs: number;
  signal?: AbortSignal;
}

async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * One check. It passes at its first passing attempt. It fails after `failureThreshold` consecutive failing
 * attempts, or when its `retries + 1` attempts are used up and at least one failed. An attempt that could not
 * run (status error) breaks a failure streak, and a check whose attempts all errored ends as error (inconclusive).
 */
export async function runHealthCheck(
  check: HealthCheck,
  options: HealthRunOptions & { signal: AbortSignal },
): Promise<HealthCheckResult> {
  const startedAt = new Date().toISOString();
  const timeoutMs = check.timeoutMs ?? 5000;
  const maxAttempts = (check.retries ?? 3) + 1;
  const threshold = check.failureThreshold ?? 3;
  const interval = check.intervalMs ?? 1000;
  const probe = PROBES[check.kind];
  let attempts = 0;
  let consecutiveFailures = 0;
  let failures = 0;
  let last: ProbeOutcome = { status: "error", message: "not run" };
  const result = (status: HealthCheckResult["status"], message: string): HealthCheckResult => ({
    name: check.name,
    kind: check.kind,
    status,
    message,
    attempts,
    startedAt,
    finishedAt: new Date().toISOString(),
  });
  if (!(await wait(check.initialDelayMs ?? 0, options.signal)))
    return result("error", "health-check time ran out before the first attempt");
  while (attempts < maxAttempts) {
    if (options.signal.aborted) break;
    attempts++;
    last = await probe(check, timeoutMs, options.env);
    if (last.status === "pass") return result("pass", last.message);
    if (last.status === "fail") {
      failures++;
      consecutiveFailures++;
      if (consecutiveFailures >= threshold)
        return result("fail", `${last.message} (${consecutiveFailures} consecutive failures)`);
    } else {
      consecutiveFailures = 0;
    }
    if (attempts < maxAttempts && !(await wait(interval, options.signal))) break;
  }
  if (options.signal.aborted && attempts < maxAttempts)
    return result(failures > 0 ? "fail" : "error", `health-check time ran out: ${last.message}`);
  return result(
    failures > 0 ? "fail" : "error",
    `${last.message} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
  );
}

/** Runs every check in parallel under one overall deadline. */
export async function runHealthChecks(
  checks: HealthCheck[],
  options: HealthRunOptions,
): Promise<HealthCheckResult[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.overallTimeoutMs);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    return await Promise.all(checks.map((c) => runHealthCheck(c, { ...options, signal: controller.signal })));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}

/** The verdict over all results: any fail → failed; else any error → inconclusive; else passed. */
export function healthVerdict(results: HealthCheckResult[]): "passed" | "failed" | "inconclusive" {
  if (results.some((r) => r.status === "fail")) return "failed";
  if (results.some((r) => r.status === "error")) return "inconclusive";
  return "passed";
}
