import type BetterSqlite3 from "better-sqlite3";
import type { AgentStatusReport } from "../../schemas/generated/agent-status-report.js";
import { desiredRow } from "../agents/queries.js";
import type { Db } from "../db/client.js";
import { NotFound, PreconditionFailed } from "../errors.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

const statements = new WeakMap<Db, { insert: BetterSqlite3.Statement; seen: BetterSqlite3.Statement }>();

function prepared(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      insert: db.sqlite.prepare(
        `INSERT INTO agent_reports (machine_id, rollout_id, store_path, state, agent_state, reason, inconclusive,
           current_store_path, health_checks, reported_at, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      seen: db.sqlite.prepare(
        `UPDATE machines SET last_seen_at = ?, last_state = ?, current_store_path = coalesce(?, current_store_path),
           lifecycle = CASE lifecycle WHEN 'registered' THEN 'active' ELSE lifecycle END, updated_at = ?
         WHERE id = ?`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * Appends an agent status report to agent_reports (the rollout scheduler reads them by rollout or machine, in
 * `seq` order) and marks the machine seen. Audit: machine.report.
 */
export function recordAgentReport({ ctx, input }: ServiceCall<AgentStatusReport>): { seq: number } {
  return transact(ctx, () => {
    const machine = desiredRow(ctx.db, input.machineId);
    if (!machine) throw new NotFound(`machine ${input.machineId} is not registered`);
    if (machine.lifecycle === "decommissioned")
      throw new PreconditionFailed(`machine ${input.machineId} is decommissioned`);
    const now = ctx.clock.now();
    const s = prepared(ctx.db);
    const seq = Number(
      s.insert.run(
        input.machineId,
        input.rolloutId ?? null,
        input.storePath ?? null,
        input.state,
        input.agentState ?? null,
        input.reason ?? null,
        input.inconclusive === undefined ? null : input.inconclusive ? 1 : 0,
        input.currentStorePath ?? null,
        input.healthChecks ? JSON.stringify(input.healthChecks) : null,
        input.reportedAt,
        now,
      ).lastInsertRowid,
    );
    s.seen.run(now, input.state, input.currentStorePath ?? null, now, input.machineId);
    recordAudit(ctx, {
      action: "machine.report",
      target: { type: "machine", id: input.machineId },
      after: {
        seq,
        state: input.state,
        rolloutId: input.rolloutId,
        storePath: input.storePath,
        reason: input.reason,
      },
    });
    return { seq };
  });
}
