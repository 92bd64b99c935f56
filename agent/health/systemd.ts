/** systemd unit active: `systemctl is-active <unit>` prints the state; exit 0 only for active. */
import { describeFailure, runCommand } from "../exec.js";
import type { Probe } from "./types.js";

export const systemdProbe: Probe = async (check, timeoutMs, env) => {
  if (!check.unit) return { status: "error", message: "systemd check without a unit" };
  const argv = ["systemctl", "is-active", check.unit];
  const out = await runCommand(argv, { timeoutMs, env });
  if (out.spawnError) return { status: "error", message: describeFailure(argv, out) };
  if (out.timedOut) return { status: "error", message: `${argv.join(" ")} timed out` };
  const state = out.stdout.trim() || "unknown";
  if (out.code === 0 && state === "active") return { status: "pass", message: `${check.unit} is active` };
  // Exit 4 means systemd does not know the unit (or could not be asked): the check cannot judge health.
  if (out.code === 4)
    return { status: "error", message: `${check.unit}: ${state} (${out.stderr.trim() || "no such unit"})` };
  return { status: "fail", message: `${check.unit} is ${state}` };
};
