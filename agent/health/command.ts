/** Command check: runs an argv; healthy when it exits with the expected code. */
import { describeFailure, runCommand } from "../exec.js";
import type { Probe } from "./types.js";

export const commandProbe: Probe = async (check, timeoutMs, env) => {
  if (!check.command || check.command.length === 0)
    return { status: "error", message: "command check without a command" };
  const argv = check.command;
  const expected = check.expectExit ?? 0;
  const out = await runCommand(argv, { timeoutMs, env });
  if (out.spawnError) return { status: "error", message: describeFailure(argv, out) };
  if (out.timedOut) return { status: "fail", message: `${argv.join(" ")} timed out after ${timeoutMs} ms` };
  if (out.code === expected) return { status: "pass", message: `${argv.join(" ")} exited ${expected}` };
  return { status: "fail", message: describeFailure(argv, out) };
};
