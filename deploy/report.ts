/**
 * Telling the control plane what a direct deploy left running, so its inventory matches the fleet and an agent
 * on the host does not switch it back: the host's desired generation becomes the store path it now runs
 * (PUT /api/v1/machines/{id}/desired, audited there as desired-generation.set by the token's owner).
 */
import type { HostOutcome } from "./host.js";

/** The store path the host runs after the operation, or null when that is unknown (a failure before switching). */
export function runningStorePath(outcome: HostOutcome, operation: "deploy" | "rollback"): string | null {
  if (outcome.status === "deployed") return outcome.storePath ?? null;
  if (outcome.status === "rolled-back")
    return operation === "deploy" ? (outcome.previousStorePath ?? null) : (outcome.storePath ?? null);
  // failed: the host is where the last successful step left it; only a failed health check after a
  // successful switch with no way back leaves it knowingly on the new path
  const switched = outcome.steps.some((s) => s.step === "activate" && s.status === "ok");
  return switched ? (outcome.storePath ?? null) : null;
}
