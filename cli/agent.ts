/** `nixfleet agent`: the per-machine agent (long-running, or one cycle with --once). */
import { Command, Option } from "commander";
import { Agent, type AgentLog, type CycleOutcome } from "../agent/agent.js";
import { ControlPlaneClient } from "../agent/client.js";
import { AGENT_OPTIONS, loadAgentConfig, type ResolvedAgentConfig, stateFile } from "../agent/config.js";
import { createDriver } from "../agent/drivers/index.js";
import { createAgentLog } from "../agent/log.js";
import { AgentStore } from "../agent/store.js";
import { CheckFailed } from "./errors.js";

interface AgentCliOptions {
  config?: string;
  once?: boolean;
  dryRun?: boolean;
  checkConfig?: boolean;
  json?: boolean;
  [flag: string]: string | boolean | undefined;
}

function flagAttribute(flag: string): string {
  return new Option(`${flag} <value>`).attributeName();
}

function createLog(config: ResolvedAgentConfig): AgentLog {
  return createAgentLog(config.logLevel, { machineId: config.machineId });
}

/** Runs the agent with a validated configuration. Returns the --once outcome, or null after a clean stop. */
export async function runAgent(
  config: ResolvedAgentConfig,
  options: { once: boolean; dryRun: boolean; env: NodeJS.ProcessEnv },
): Promise<CycleOutcome | null> {
  const log = createLog(config);
  const store = new AgentStore(stateFile(config), { maxOutboxItems: config.outbox.maxItems });
  const client = new ControlPlaneClient(config);
  const agent = new Agent({
    config,
    driver: createDriver(config, options.env),
    controlPlane: client,
    store,
    log,
    env: options.env,
    dryRun: options.dryRun,
  });
  let deadlineTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal, deadlineMs: config.shutdownDeadlineMs }, "stopping");
    agent.stop();
    deadlineTimer ??= setTimeout(() => {
      log.warn({}, "shutdown deadline passed: interrupting the current step");
      agent.abort();
    }, config.shutdownDeadlineMs);
    deadlineTimer.unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  log.info(
    { state: agent.currentState, once: options.once, dryRun: options.dryRun, driver: config.driver },
    "agent started",
  );
  if (config.driver === "simulated")
    log.warn(
      { driver: "simulated", simulatedStoreDir: config.simulatedStoreDir },
      "SIMULATED driver: generations are plain directories switched without Nix (demo only, ADR 0850)",
    );
  try {
    if (options.once) return await agent.runOnce();
    await agent.run();
    return null;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    if (deadlineTimer) clearTimeout(deadlineTimer);
    client.close();
    store.close();
    log.info({ state: agent.currentState }, "agent stopped");
  }
}

export function registerAgentCommand(program: Command): void {
  const command = new Command("agent")
    .description(
      "Run the per-machine agent: poll the control plane, fetch and switch generations with Nix, run health checks, " +
        "confirm or roll back, and stream runtime evidence. Options come from --config (JSON or YAML, schema " +
        "agent-config), then NIXFLEET_* variables, then flags (the later wins).",
    )
    .option("--config <file>", "agent configuration file (JSON or YAML); env NIXFLEET_CONFIG")
    .option("--once", "recover, run one poll cycle, send evidence, and exit (exit 1 when the cycle failed)")
    .option("--dry-run", "fetch and check the desired generation but do not switch")
    .option("--check-config", "validate the configuration, print it with defaults applied, and exit")
    .option("--json", "print the --once outcome or --check-config result as JSON");
  for (const option of AGENT_OPTIONS)
    command.option(`${option.flag} <value>`, `${option.description}; env ${option.env}`);
  command.action(async (opts: AgentCliOptions) => {
    const flags: Record<string, string | undefined> = {};
    for (const option of AGENT_OPTIONS) {
      const value = opts[flagAttribute(option.flag)];
      if (typeof value === "string") flags[option.key] = value;
    }
    const config = loadAgentConfig({
      file: opts.config ?? process.env.NIXFLEET_CONFIG,
      env: process.env,
      flags,
    });
    if (opts.checkConfig) {
      const shown = { ...config, token: config.token ? "(set)" : null };
      process.stdout.write(
        opts.json ? `${JSON.stringify(shown)}\n` : `configuration valid\n${JSON.stringify(shown, null, 2)}\n`,
      );
      return;
    }
    const outcome = await runAgent(config, {
      once: opts.once === true,
      dryRun: opts.dryRun === true,
      env: process.env,
    });
    if (!outcome) return;
    if (opts.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    else
      process.stdout.write(
        `${outcome.kind}${"storePath" in outcome && outcome.storePath ? ` ${outcome.storePath}` : ""}${"reason" in outcome ? `: ${outcome.reason}` : ""}\n`,
      );
    if (outcome.kind === "failed" || outcome.kind === "rolled-back" || outcome.kind === "unreachable")
      throw new CheckFailed(`agent cycle ended ${outcome.kind}`, true);
  });
  program.addCommand(command);
}
