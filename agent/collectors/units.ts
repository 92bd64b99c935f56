/** Failed systemd units, via `systemctl list-units --state=failed` (absent when systemctl cannot answer). */
import { runCommand } from "../exec.js";

export async function collectFailedUnits(env: NodeJS.ProcessEnv): Promise<string[] | null> {
  const out = await runCommand(
    ["systemctl", "list-units", "--state=failed", "--no-legend", "--plain", "--no-pager"],
    { env, timeoutMs: 10_000 },
  );
  // Without an answer we report nothing rather than an empty list: "no failed units" would be a claim.
  if (out.code !== 0) return null;
  return out.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((unit) => unit !== "");
}
