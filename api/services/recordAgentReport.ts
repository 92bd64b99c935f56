import type BetterSqlite3 from "better-sqlite3";
import type { AgentStatusReport } from "../../schemas/generated/agent-status-report.js";
import { desiredRow } from "../agents/queries.js";
import type { Db } from "../db/client.js";
import { NotFound, PreconditionFailed } from "../errors.js";
import { getMachine } from "../machines/queries.js";
import { agentTagChange, applyTagChange, isEmptyChange, tagRows } from "../machines/tags.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, type ServiceContext, transact } from "./context.js";

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
 * The tags the agent declares become the machine's agent-origin tags (api/machines/tags.ts); written, and
 * audited as machine.update by the agent, only when they change, so a heartbeat costs one read.
 */
function syncAgentTags(ctx: ServiceContext, machineId: string, reported: readonly string[]): void {
  const rows = tagRows(ctx.db, machineId);
  const change = agentTagChange(rows, reported);
  if (isEmptyChange(change)) return;
  const before = getMachine(ctx.db, machineId);
  applyTagChange(ctx.db, machineId, change, "agent");
  ctx.db.sqlite.prepare("UPDATE machines SET updated_at = ? WHERE id = ?").run(ctx.clock.now(), machineId);
  const after = getMachine(ctx.db, machineId);
  recordAudit(ctx, {
    action: "machine.update",
    target: { type: "machine", id: machineId },
    before: { tags: before.tags, agentTags: before.agentTags ?? [] },
    after: {
      tags: after.tags,
      agentTags: after.agentTags ?? [],
      reason: "tags declared by the agent's configuration",
      ...(change.ignored.length > 0 ? { ignoredTags: change.ignored } : {}),
    },
  });
}

/**
 * Appends an agent status report to agent_reports (the rollout scheduler reads them by rollout or machine, in
 * `seq` order), marks the machine seen, and syncs the tags the agent declares. Audit: machine.report (and
 * machine.update when the agent's tags changed).
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
    if (input.tags !== undefined) syncAgentTags(ctx, input.machineId, input.tags);
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
