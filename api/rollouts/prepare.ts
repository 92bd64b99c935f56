/**
 * Turning a rollout request into a plan: the inventory (machines of the release, or the hosts a rollback
 * undoes), the engine's batches, the store path per host, and the conflicts with active rollouts. Shared by
 * plan (dry run) and start, so both show the same thing.
 */
import { type Batch, type InventoryHost, PlanError, planRollout } from "../../engine/rollout/index.js";
import type { RolloutRequest } from "../../schemas/generated/rollout-request.js";
import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import { newId } from "../../schemas/ids.js";
import type { Db } from "../db/client.js";
import { BadRequest, NotFound, ValidationFailed } from "../errors.js";
import { activeHolders } from "./queries.js";
import { getRolloutRow, type HostTarget } from "./store.js";

export interface PreparedRollout {
  id: string;
  releaseId: string | null;
  rollbackOf: string | null;
  spec: RolloutSpec;
  batches: Batch[];
  targets: Map<string, HostTarget>;
  /** machine id → host name, for the gate (release evidence is keyed by host name) */
  hostNames: Map<string, string>;
  conflicts: { machineId: string; rolloutId: string }[];
  previousReleaseId: string | null;
}

interface InventoryRow {
  id: string;
  hostName: string;
  currentStorePath: string | null;
  toplevel: string;
  tags: string | null;
}

/** What a rollback does when no spec is given: every host at once, and failures never stop it. */
export function rollbackSpec(): RolloutSpec {
  return { strategy: "all-at-once", failureThreshold: "100%", targets: { all: true } };
}

function releaseInventory(db: Db, releaseId: string): InventoryRow[] {
  const exists = db.sqlite.prepare("SELECT 1 FROM releases WHERE id = ?").get(releaseId);
  if (!exists) throw new NotFound(`release ${releaseId} does not exist`, { releaseId });
  return db.sqlite
    .prepare(
      `SELECT m.id, m.host_name AS hostName, m.current_store_path AS currentStorePath, rh.toplevel,
         (SELECT json_group_array(tag) FROM machine_tags t WHERE t.machine_id = m.id) AS tags
       FROM release_hosts rh JOIN machines m ON m.host_name = rh.host
       WHERE rh.release_id = ? AND m.lifecycle != 'decommissioned'
       ORDER BY m.id`,
    )
    .all(releaseId) as InventoryRow[];
}

function rollbackInventory(db: Db, rollbackOf: string): InventoryRow[] {
  return db.sqlite
    .prepare(
      `SELECT m.id, m.host_name AS hostName, m.current_store_path AS currentStorePath,
         h.previous_store_path AS toplevel,
         (SELECT json_group_array(tag) FROM machine_tags t WHERE t.machine_id = m.id) AS tags
       FROM rollout_hosts h JOIN machines m ON m.id = h.machine_id
       WHERE h.rollout_id = ? AND h.attempt > 0 AND h.previous_store_path IS NOT NULL
         AND m.lifecycle != 'decommissioned'
       ORDER BY h.position`,
    )
    .all(rollbackOf) as InventoryRow[];
}

/** The release of the newest succeeded rollout: what "the previous release" means for a new rollout. */
function lastGoodRelease(db: Db): string | null {
  const row = db.sqlite
    .prepare(
      `SELECT release_id AS releaseId FROM rollouts WHERE status = 'succeeded' AND release_id IS NOT NULL
       ORDER BY finished_at DESC, id DESC LIMIT 1`,
    )
    .get() as { releaseId: string } | undefined;
  return row?.releaseId ?? null;
}

export function prepareRollout(db: Db, input: RolloutRequest, now: number): PreparedRollout {
  const rollbackOf = input.rollbackOf ?? null;
  if (!input.releaseId && !rollbackOf)
    throw new ValidationFailed("a rollout needs a releaseId (or rollbackOf for a rollback)", [
      { path: "/releaseId", message: "is required" },
    ]);
  if (rollbackOf) getRolloutRow(db, rollbackOf);
  const spec = input.spec ?? (rollbackOf ? rollbackSpec() : undefined);
  if (!spec)
    throw new ValidationFailed("a rollout needs a spec", [{ path: "/spec", message: "is required" }]);
  const id = input.rolloutId ?? newId("rol", now);
  if (input.rolloutId && db.sqlite.prepare("SELECT 1 FROM rollouts WHERE id = ?").get(input.rolloutId))
    throw new BadRequest(`rollout ${input.rolloutId} already exists: plan again for a new id`);
  const rows = input.releaseId ? releaseInventory(db, input.releaseId) : rollbackInventory(db, rollbackOf!);
  if (rows.length === 0)
    throw new ValidationFailed(
      input.releaseId
        ? `release ${input.releaseId} names no registered machine`
        : `rollout ${rollbackOf} has no host with a known previous generation to go back to`,
      [{ path: input.releaseId ? "/releaseId" : "/rollbackOf", message: "selects no machine" }],
    );
  const inventory: InventoryHost[] = rows.map((r) => ({
    id: r.id,
    name: r.hostName,
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
  }));
  let batches: Batch[];
  try {
    batches = planRollout(spec, inventory, id);
  } catch (err) {
    if (err instanceof PlanError)
      throw new ValidationFailed(err.message, [
        { path: err.code === "invalid-spec" ? "/spec" : "/spec/targets", message: err.message },
      ]);
    throw err;
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const targets = new Map<string, HostTarget>();
  const hostNames = new Map<string, string>();
  for (const b of batches)
    for (const machineId of b.hosts) {
      const r = byId.get(machineId)!;
      targets.set(machineId, { storePath: r.toplevel, previousStorePath: r.currentStorePath });
      hostNames.set(machineId, r.hostName);
    }
  return {
    id,
    releaseId: input.releaseId ?? null,
    rollbackOf,
    spec,
    batches,
    targets,
    hostNames,
    conflicts: activeHolders(db, [...targets.keys()]),
    previousReleaseId: lastGoodRelease(db),
  };
}
