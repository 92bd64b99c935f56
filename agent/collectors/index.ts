/** Builds one runtime report (runtime-report schema) from the collectors. */
import { hostname } from "node:os";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";
import type { ResolvedAgentConfig } from "../config.js";
import type { SystemDriver } from "../drivers/types.js";
import { collectBootId, collectKernelCmdline, collectMounts, collectSysctl } from "./proc.js";
import { collectListeningSockets } from "./sockets.js";
import { collectFailedUnits } from "./units.js";

export async function collectRuntimeReport(
  config: ResolvedAgentConfig,
  driver: SystemDriver,
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<RuntimeReport> {
  const root = config.rootPath;
  const report: RuntimeReport = {
    machineId: config.machineId,
    collectedAt: now.toISOString(),
    hostName: hostname(),
    platform: config.platform,
  };
  // said in the evidence itself, so no one reads a simulated host's generations as a real switch (ADR 0850)
  if (config.driver === "simulated") report.driver = "simulated";
  const bootId = collectBootId(root);
  if (bootId) report.bootId = bootId;
  const generations = driver.generations();
  if (generations.length > 0) report.generations = generations;
  const current = driver.currentSystem();
  if (current) {
    const gen = generations.find((g) => g.current && g.storePath === current);
    report.currentGeneration = gen
      ? { storePath: current, generation: gen.generation }
      : { storePath: current };
  }
  if (config.platform === "nixos") {
    const sysctl = collectSysctl(root, config.sysctlKeys);
    if (Object.keys(sysctl).length > 0) report.sysctl = sysctl;
    const cmdline = collectKernelCmdline(root);
    if (cmdline) report.kernelCmdline = cmdline;
    const mounts = collectMounts(root);
    if (mounts) report.mounts = mounts;
    const sockets = collectListeningSockets(root);
    if (sockets) report.listeningSockets = sockets;
    const failed = await collectFailedUnits(env);
    if (failed) report.failedUnits = failed;
  }
  return report;
}
