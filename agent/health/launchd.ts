/** launchd job running: `launchctl print system/<label>` lists `state = running` for a running job. */
import { describeFailure, runCommand } from "../exec.js";
import type { Probe } from "./types.js";

export const launchdProbe: Probe = async (check, timeoutMs, env) => {
  if (!check.label) return { status: "error", message: "launchd check without a label" };
  const target = check.label.includes("/") ? check.label : `system/${check.label}`;
  const argv = ["launchctl", "print", target];
  const out = await runCommand(argv, { timeoutMs, env });
  if (out.spawnError) return { status: "error", message: describeFailure(argv, out) };
  if (out.timedOut) return { status: "error", message: `${argv.join(" ")} timed out` };
  // launchctl exits 113 for an unknown service: the job is not loaded at all, which is unhealthy.
  if (out.code !== 0) return { status: "fail", message: describeFailure(argv, out) };
  const state = /^\s*state = (\S+)/m.exec(out.stdout)?.[1];
  if (state === "running") return { status: "pass", message: `${target} is running` };
  if (!state) return { status: "error", message: `${argv.join(" ")}: no state line in its output` };
  return { status: "fail", message: `${target} is ${state}` };
};
