/**
 * Agents as real processes (`nixfleet agent --config`), each with its own temporary profile, current-system
 * link, state directory and mTLS certificate from `nixfleet ca issue`, talking HTTPS to a test control plane.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import { spawnCli } from "./cli.js";
import type { IssuedCert, TestControlPlane } from "./control-plane.js";
import { makeTestHost, nixEnv, type TestHost } from "./nix.js";
import type { Managed } from "./processes.js";
import { tempDir } from "./temp.js";

export interface TestAgent {
  machineId: string;
  host: TestHost;
  configFile: string;
  config: AgentConfig;
  stateDir: string;
  process: Managed | null;
  /** starts (or restarts) the agent process */
  start(args?: string[]): Managed;
}

/** The health check every test agent runs: the current system's bin/health (see harness/nix.ts). */
export function systemHealthCheck(host: TestHost): NonNullable<AgentConfig["healthChecks"]>[number] {
  return {
    name: "system-health",
    kind: "command",
    command: [join(host.currentLink, "bin", "health")],
    retries: 1,
    intervalMs: 200,
    failureThreshold: 2,
    timeoutMs: 5000,
  };
}

/** Writes an agent configuration for `machineId` against `plane` (mTLS unless `cert` is null) and returns a handle. */
export function makeAgent(
  plane: Pick<TestControlPlane, "url" | "caCert">,
  machineId: string,
  cert: IssuedCert | null,
  overrides: Partial<AgentConfig> = {},
): TestAgent {
  const dir = tempDir(`nixfleet-agent-${machineId}-`);
  const host = makeTestHost(dir);
  const stateDir = join(dir, "state");
  const config: AgentConfig = {
    machineId,
    controlPlaneUrl: plane.url,
    ...(cert ? { tls: { cert: cert.cert, key: cert.key, ca: plane.caCert } } : {}),
    profilePath: host.profile,
    currentSystemLink: host.currentLink,
    activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    switchLockPath: join(dir, "run", "switch.lock"),
    stateDir,
    pollIntervalMs: 300,
    jitter: 0.1,
    backoffInitialMs: 200,
    backoffMaxMs: 1000,
    requestTimeoutMs: 5000,
    confirmWindowMs: 20_000,
    healthTimeoutMs: 15_000,
    shutdownDeadlineMs: 5000,
    healthChecks: [systemHealthCheck(host)],
    logLevel: "info",
    ...overrides,
  };
  const configFile = join(dir, "agent.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const agent: TestAgent = {
    machineId,
    host,
    configFile,
    config,
    stateDir,
    process: null,
    start(args = []) {
      agent.process = spawnCli(`agent ${machineId}`, ["agent", "--config", configFile, ...args], {
        env: nixEnv(),
      });
      return agent.process;
    },
  };
  return agent;
}
