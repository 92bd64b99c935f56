/** The gate's decision for a release's machines (optionally narrowed by a target selector), stored nowhere. */
import type { GateDecision } from "../../engine/governance/index.js";
import { PlanError, resolveTargets } from "../../engine/rollout/index.js";
import type { PolicyCheck } from "../../schemas/generated/policy-check.js";
import type { Db } from "../db/client.js";
import { NotFound, ValidationFailed } from "../errors.js";
import { decideForRollout } from "./gate.js";

export function checkRelease(db: Db, input: PolicyCheck, now: number): GateDecision {
  if (!db.sqlite.prepare("SELECT 1 FROM releases WHERE id = ?").get(input.releaseId))
    throw new NotFound(`release ${input.releaseId} does not exist`, { releaseId: input.releaseId });
  const rows = db.sqlite
    .prepare(
      `SELECT m.id, m.host_name AS name, (SELECT json_group_array(tag) FROM machine_tags t WHERE t.machine_id = m.id) AS tags
       FROM release_hosts rh JOIN machines m ON m.host_name = rh.host
       WHERE rh.release_id = ? AND m.lifecycle != 'decommissioned'`,
    )
    .all(input.releaseId) as { id: string; name: string; tags: string }[];
  const inventory = rows.map((r) => ({ id: r.id, name: r.name, tags: JSON.parse(r.tags) as string[] }));
  let hosts = inventory.map((h) => h.id);
  if (input.targets) {
    try {
      hosts = resolveTargets(input.targets, inventory);
    } catch (err) {
      if (err instanceof PlanError)
        throw new ValidationFailed(err.message, [{ path: "/targets", message: err.message }]);
      throw err;
    }
  }
  const request = {
    rolloutId: null,
    releaseId: input.releaseId,
    evalHosts: hosts,
    runtimeHosts: [],
    phase: "pre-rollout" as const,
    batch: null,
    rollback: false,
  };
  return decideForRollout(db, input.policy ? { ...request, policy: input.policy } : request, now);
}
