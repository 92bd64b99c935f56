/**
 * A host's health checks run by the deployer: http and tcp checks from here (they test what clients see),
 * command, systemd and launchd checks on the host over ssh. The check kinds and their retry semantics are the
 * agent's (agent/health), so a check means the same thing in both deployment modes.
 */
import { healthVerdict, runHealthChecks } from "../agent/health/runner.js";
import type { HealthCheck } from "../schemas/generated/health-check.js";
import type { HealthCheckResult } from "../schemas/generated/health-check-result.js";
import { describeEndpoint, type SshEndpoint, shellQuote, sshArgv } from "./ssh.js";

/** The remote shell command line a host-side check runs, or null for checks made from the deployer. */
export function remoteCommandFor(check: HealthCheck): string | null {
  switch (check.kind) {
    case "command":
      return check.command ? check.command.map(shellQuote).join(" ") : null;
    case "systemd":
      return check.unit ? `systemctl is-active ${shellQuote(check.unit)}` : null;
    case "launchd":
      return check.label ? `launchctl list ${shellQuote(check.label)}` : null;
    default:
      return null;
  }
}

/** The check as the deployer runs it: host-side kinds become a command check whose argv is ssh. */
export function overSsh(check: HealthCheck, endpoint: SshEndpoint): HealthCheck {
  const remote = remoteCommandFor(check);
  if (remote === null) return check;
  const { unit: _unit, label: _label, ...rest } = check;
  return {
    ...rest,
    kind: "command",
    command: sshArgv(endpoint, remote) as [string, ...string[]],
    // systemctl is-active exits 0 only for an active unit, launchctl list only for a loaded job
    expectExit: check.kind === "command" ? (check.expectExit ?? 0) : 0,
  };
}

export interface HostHealth {
  results: HealthCheckResult[];
  verdict: "passed" | "failed" | "inconclusive" | "none";
}

/** Runs all of a host's checks in parallel under one deadline; results carry the original kinds. */
export async function runHostHealthChecks(
  checks: HealthCheck[],
  endpoint: SshEndpoint,
  options: { overallTimeoutMs: number; env: NodeJS.ProcessEnv },
): Promise<HostHealth> {
  if (checks.length === 0) return { results: [], verdict: "none" };
  const prepared = checks.map((c) => overSsh(c, endpoint));
  const raw = await runHealthChecks(prepared, options);
  const target = describeEndpoint(endpoint);
  const results = raw.map((r, i) => {
    const original = checks[i]!;
    const sshCommand = prepared[i]!.kind === "command" && original.kind !== prepared[i]!.kind;
    const remote = remoteCommandFor(original);
    let message = r.message;
    // The probe describes the full ssh argv; say what ran where instead.
    if (message !== undefined && remote !== null && (sshCommand || original.kind === "command")) {
      const argv = prepared[i]!.command!.join(" ");
      message = message.split(argv).join(`${remote} (on ${target})`);
    }
    return { ...r, kind: original.kind, ...(message !== undefined ? { message } : {}) };
  });
  return { results, verdict: healthVerdict(results) };
}
