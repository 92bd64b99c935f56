import type BetterSqlite3 from "better-sqlite3";
import type { AgentConfirm } from "../../schemas/generated/agent-confirm.js";
import { desiredRow } from "../agents/queries.js";
import type { Db } from "../db/client.js";
import { Conflict, NotFound } from "../errors.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

// Every agent of a batch confirms through here: one prepared statement per database, not a query built per call.
const inserts = new WeakMap<Db, BetterSqlite3.Statement>();

function insertStatement(db: Db): BetterSqlite3.Statement {
  let s = inserts.get(db);
  if (!s) {
    s = db.sqlite.prepare(
      `INSERT INTO generation_confirmations (machine_id, rollout_id, store_path, health_checks, confirmed_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    inserts.set(db, s);
  }
  return s;
}

/**
 * Accepts an agent's confirmation that its generation passed health checks, but only while that store path is
 * still the machine's desired one: otherwise Conflict (409), and the agent rolls back. Audit: machine.confirm.
 */
export function confirmGeneration({ ctx, input }: ServiceCall<AgentConfirm>): { seq: number } {
  return transact(ctx, () => {
    const row = desiredRow(ctx.db, input.machineId);
    if (!row) throw new NotFound(`machine ${input.machineId} is not registered`);
    if (row.lifecycle === "decommissioned" || row.storePath !== input.storePath)
      throw new Conflict(`${input.storePath} is no longer the desired generation of ${input.machineId}`, {
        desiredStorePath: row.storePath,
      });
    if ((input.rolloutId ?? null) !== null && row.rolloutId !== null && input.rolloutId !== row.rolloutId)
      throw new Conflict(`rollout ${input.rolloutId} is no longer the one driving ${input.machineId}`);
    const seq = Number(
      insertStatement(ctx.db).run(
        input.machineId,
        input.rolloutId ?? row.rolloutId,
        input.storePath,
        input.healthChecks ? JSON.stringify(input.healthChecks) : null,
        ctx.clock.now(),
      ).lastInsertRowid,
    );
    recordAudit(ctx, {
      action: "machine.confirm",
      target: { type: "machine", id: input.machineId },
      after: { seq, storePath: input.storePath, rolloutId: input.rolloutId ?? row.rolloutId },
    });
    return { seq };
  });
}
