import type BetterSqlite3 from "better-sqlite3";
import type { DesiredGenerationSet } from "../../schemas/generated/desired-generation-set.js";
import { readDesired, type StoredDesired } from "../agents/queries.js";
import type { Db } from "../db/client.js";
import { actorLabel } from "../env.js";
import { NotFound, PreconditionFailed } from "../errors.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

export interface SetDesiredGenerationInput extends DesiredGenerationSet {
  machineId: string;
}

/**
 * Sets what a machine should run (the rollout scheduler calls this for every host of a batch; operators may pin
 * a machine through PUT /machines/{id}/desired). With a releaseId, the store path must be the release's
 * toplevel for the machine's host. Agents see the change on their next poll. Audit: desired-generation.set.
 */
// The rollout scheduler calls this for every host of a batch (10,000 in bench/rollout.bench.ts): prepared
// statements, cached per database, instead of building each query per call.
const statements = new WeakMap<
  Db,
  { machine: BetterSqlite3.Statement; releaseHost: BetterSqlite3.Statement; upsert: BetterSqlite3.Statement }
>();

function prepared(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      machine: db.sqlite.prepare("SELECT id, host_name AS hostName, lifecycle FROM machines WHERE id = ?"),
      releaseHost: db.sqlite.prepare("SELECT toplevel FROM release_hosts WHERE release_id = ? AND host = ?"),
      upsert: db.sqlite.prepare(
        `INSERT INTO desired_generations (machine_id, store_path, release_id, rollout_id, cache_url, confirm_window_ms,
           health_timeout_ms, health_checks, poll_after_ms, version, updated_at, updated_by)
         VALUES (@machineId, @storePath, @releaseId, @rolloutId, @cacheUrl, @confirmWindowMs, @healthTimeoutMs,
           @healthChecks, @pollAfterMs, @version, @updatedAt, @updatedBy)
         ON CONFLICT (machine_id) DO UPDATE SET store_path = excluded.store_path, release_id = excluded.release_id,
           rollout_id = excluded.rollout_id, cache_url = excluded.cache_url,
           confirm_window_ms = excluded.confirm_window_ms, health_timeout_ms = excluded.health_timeout_ms,
           health_checks = excluded.health_checks, poll_after_ms = excluded.poll_after_ms,
           version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

export function setDesiredGeneration({ ctx, input }: ServiceCall<SetDesiredGenerationInput>): StoredDesired {
  return transact(ctx, () => {
    const s = prepared(ctx.db);
    const machine = s.machine.get(input.machineId) as
      | { id: string; hostName: string; lifecycle: string }
      | undefined;
    if (!machine)
      throw new NotFound(`machine ${input.machineId} is not registered`, { machineId: input.machineId });
    if (machine.lifecycle === "decommissioned")
      throw new PreconditionFailed(`machine ${machine.id} is decommissioned`, { machineId: machine.id });
    if (input.releaseId) {
      const host = s.releaseHost.get(input.releaseId, machine.hostName) as { toplevel: string } | undefined;
      if (!host)
        throw new NotFound(`release ${input.releaseId} has no host ${machine.hostName}`, {
          releaseId: input.releaseId,
        });
      if (input.storePath !== null && host.toplevel !== input.storePath)
        throw new PreconditionFailed(
          `release ${input.releaseId} puts ${host.toplevel} on ${machine.hostName}, not ${input.storePath}`,
        );
    }
    const before = readDesired(ctx.db, input.machineId);
    const values = {
      machineId: input.machineId,
      storePath: input.storePath,
      releaseId: input.releaseId ?? null,
      rolloutId: input.rolloutId ?? null,
      cacheUrl: input.cacheUrl ?? null,
      confirmWindowMs: input.confirmWindowMs ?? null,
      healthTimeoutMs: input.healthTimeoutMs ?? null,
      healthChecks: input.healthChecks ? JSON.stringify(input.healthChecks) : null,
      pollAfterMs: input.pollAfterMs ?? null,
      version: (before?.version ?? 0) + 1,
      updatedAt: ctx.clock.now(),
      updatedBy: actorLabel(ctx.actor),
    };
    s.upsert.run(values);
    const after = readDesired(ctx.db, input.machineId);
    recordAudit(ctx, {
      action: "desired-generation.set",
      target: { type: "machine", id: input.machineId },
      before: before ?? null,
      after,
    });
    if (!after) throw new Error("desired generation vanished inside its own transaction");
    return after;
  });
}
