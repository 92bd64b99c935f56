/**
 * Reading agent status reports and confirmations. The rollout scheduler uses `reportsSince` to consume reports
 * in arrival order (`seq` is monotonic), remembering the last seq it handled.
 */
import type { AgentStatusReport } from "../../schemas/generated/agent-status-report.js";
import type { HealthCheckResult } from "../../schemas/generated/health-check-result.js";
import type { Db } from "../db/client.js";

export interface StoredAgentReport {
  seq: number;
  machineId: string;
  rolloutId: string | null;
  storePath: string | null;
  state: AgentStatusReport["state"];
  agentState: string | null;
  reason: string | null;
  inconclusive: boolean | null;
  currentStorePath: string | null;
  healthChecks: HealthCheckResult[] | null;
  reportedAt: string;
  receivedAt: string;
}

interface ReportRow {
  seq: number;
  machineId: string;
  rolloutId: string | null;
  storePath: string | null;
  state: string;
  agentState: string | null;
  reason: string | null;
  inconclusive: number | null;
  currentStorePath: string | null;
  healthChecks: string | null;
  reportedAt: string;
  receivedAt: number;
}

const COLUMNS = `seq, machine_id AS machineId, rollout_id AS rolloutId, store_path AS storePath, state,
  agent_state AS agentState, reason, inconclusive, current_store_path AS currentStorePath,
  health_checks AS healthChecks, reported_at AS reportedAt, received_at AS receivedAt`;

function toReport(r: ReportRow): StoredAgentReport {
  return {
    ...r,
    state: r.state as AgentStatusReport["state"],
    inconclusive: r.inconclusive === null ? null : r.inconclusive === 1,
    healthChecks: r.healthChecks ? (JSON.parse(r.healthChecks) as HealthCheckResult[]) : null,
    receivedAt: new Date(r.receivedAt).toISOString(),
  };
}

/** Reports with seq > afterSeq, oldest first, optionally of one rollout: the scheduler's feed. */
export function reportsSince(
  db: Db,
  afterSeq: number,
  options: { rolloutId?: string; limit?: number } = {},
): StoredAgentReport[] {
  const limit = options.limit ?? 1000;
  const rows = options.rolloutId
    ? db.sqlite
        .prepare(`SELECT ${COLUMNS} FROM agent_reports WHERE rollout_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
        .all(options.rolloutId, afterSeq, limit)
    : db.sqlite
        .prepare(`SELECT ${COLUMNS} FROM agent_reports WHERE seq > ? ORDER BY seq LIMIT ?`)
        .all(afterSeq, limit);
  return (rows as ReportRow[]).map(toReport);
}

/** The latest report of each machine about a rollout (the scheduler's view of a batch). */
export function latestReportsOfRollout(db: Db, rolloutId: string): Map<string, StoredAgentReport> {
  const rows = db.sqlite
    .prepare(
      `SELECT ${COLUMNS} FROM agent_reports WHERE seq IN
         (SELECT max(seq) FROM agent_reports WHERE rollout_id = ? GROUP BY machine_id)`,
    )
    .all(rolloutId) as ReportRow[];
  return new Map(rows.map((r) => [r.machineId, toReport(r)]));
}

/** A page of one machine's reports, newest first. */
export function listAgentReports(
  db: Db,
  q: { machineId: string; rolloutId?: string; before?: number; limit: number },
): { items: StoredAgentReport[]; next?: number } {
  const rows = db.sqlite
    .prepare(
      `SELECT ${COLUMNS} FROM agent_reports WHERE machine_id = ? AND (? IS NULL OR rollout_id = ?) AND seq < ?
       ORDER BY seq DESC LIMIT ?`,
    )
    .all(
      q.machineId,
      q.rolloutId ?? null,
      q.rolloutId ?? null,
      q.before ?? Number.MAX_SAFE_INTEGER,
      q.limit + 1,
    ) as ReportRow[];
  const items = rows.slice(0, q.limit).map(toReport);
  return rows.length > q.limit ? { items, next: items[items.length - 1]?.seq } : { items };
}

export interface StoredConfirmation {
  seq: number;
  machineId: string;
  rolloutId: string | null;
  storePath: string;
  confirmedAt: string;
}

/** Confirmations with seq > afterSeq, oldest first (optionally of one rollout). */
export function confirmationsSince(db: Db, afterSeq: number, rolloutId?: string): StoredConfirmation[] {
  const rows = db.sqlite
    .prepare(
      `SELECT seq, machine_id AS machineId, rollout_id AS rolloutId, store_path AS storePath, confirmed_at AS confirmedAt
       FROM generation_confirmations WHERE seq > ? AND (? IS NULL OR rollout_id = ?) ORDER BY seq`,
    )
    .all(afterSeq, rolloutId ?? null, rolloutId ?? null) as (Omit<StoredConfirmation, "confirmedAt"> & {
    confirmedAt: number;
  })[];
  return rows.map((r) => ({ ...r, confirmedAt: new Date(r.confirmedAt).toISOString() }));
}
