/**
 * Rollout state ⇄ SQLite rows. The engine's state maps to one row per rollout, batch and host; a persisted
 * step writes only the rows its `touched` names, the commands it produced (into the outbox) and its events.
 * Prepared statements: the scheduler runs these for every host that changes, so they must stay cheap.
 */
import type BetterSqlite3 from "better-sqlite3";
import {
  type BatchRow,
  type HostState,
  normalizeSpec,
  type RolloutCommand,
  type RolloutState,
  restoreRolloutState,
  type StepResult,
} from "../../engine/rollout/index.js";
import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import type { Db } from "../db/client.js";
import { Conflict, NotFound } from "../errors.js";

export interface RolloutRow {
  id: string;
  releaseId: string | null;
  rollbackOf: string | null;
  status: RolloutState["status"];
  spec: string;
  current: number;
  pauseReason: string | null;
  failureReason: string | null;
  failedTotal: number;
  targetsTotal: number;
  revertRequested: number;
  revertRolloutId: string | null;
  previousReleaseId: string | null;
  createdAt: number;
  createdBy: string;
  startedAt: number | null;
  finishedAt: number | null;
  version: number;
}

/** Per-host facts the engine does not need but the scheduler does: what to set, and what ran before. */
export interface HostTarget {
  storePath: string;
  previousStorePath: string | null;
}

interface Statements {
  rollout: BetterSqlite3.Statement;
  batches: BetterSqlite3.Statement;
  hosts: BetterSqlite3.Statement;
  insertRollout: BetterSqlite3.Statement;
  insertBatch: BetterSqlite3.Statement;
  insertHost: BetterSqlite3.Statement;
  updateRollout: BetterSqlite3.Statement;
  updateBatch: BetterSqlite3.Statement;
  updateHost: BetterSqlite3.Statement;
  insertCommand: BetterSqlite3.Statement;
  insertEvent: BetterSqlite3.Statement;
  pendingCommands: BetterSqlite3.Statement;
  markApplied: BetterSqlite3.Statement;
}

const cache = new WeakMap<Db, Statements>();

const ROLLOUT_COLUMNS = `id, release_id AS releaseId, rollback_of AS rollbackOf, status, spec, current,
  pause_reason AS pauseReason, failure_reason AS failureReason, failed_total AS failedTotal,
  targets_total AS targetsTotal, revert_requested AS revertRequested, revert_rollout_id AS revertRolloutId,
  previous_release_id AS previousReleaseId, created_at AS createdAt, created_by AS createdBy,
  started_at AS startedAt, finished_at AS finishedAt, version`;

function statements(db: Db): Statements {
  let s = cache.get(db);
  if (s) return s;
  const p = (sql: string) => db.sqlite.prepare(sql);
  s = {
    rollout: p(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE id = ?`),
    batches: p(
      `SELECT idx AS "index", amount, size, seq_length AS seqLength, next, timeout_cursor AS timeoutCursor, phase,
         accepted, in_flight AS inFlight, confirmed, failed, inconclusive, gate_decision_id AS gateDecisionId,
         started_at AS startedAt, bake_until AS bakeUntil, finished_at AS finishedAt
       FROM rollout_batches WHERE rollout_id = ? ORDER BY idx`,
    ),
    hosts: p(
      `SELECT machine_id AS host, batch, outcome, attempt, seq, assigned_at AS assignedAt,
         last_report_at AS lastReportAt, inconclusive, reason, store_path AS storePath,
         previous_store_path AS previousStorePath
       FROM rollout_hosts WHERE rollout_id = ? ORDER BY position`,
    ),
    insertRollout: p(
      `INSERT INTO rollouts (id, release_id, rollback_of, status, spec, current, pause_reason, failure_reason,
         failed_total, targets_total, revert_requested, previous_release_id, created_at, created_by, started_at,
         finished_at, version)
       VALUES (@id, @releaseId, @rollbackOf, @status, @spec, @current, @pauseReason, @failureReason, @failedTotal,
         @targetsTotal, @revertRequested, @previousReleaseId, @createdAt, @createdBy, @startedAt, @finishedAt, 1)`,
    ),
    insertBatch: p(
      `INSERT INTO rollout_batches (rollout_id, idx, amount, size, seq_length, next, timeout_cursor, phase, accepted,
         in_flight, confirmed, failed, inconclusive, gate_decision_id, started_at, bake_until, finished_at)
       VALUES (@rolloutId, @index, @amount, @size, @seqLength, @next, @timeoutCursor, @phase, @accepted, @inFlight,
         @confirmed, @failed, @inconclusive, @gateDecisionId, @startedAt, @bakeUntil, @finishedAt)`,
    ),
    insertHost: p(
      `INSERT INTO rollout_hosts (rollout_id, machine_id, position, batch, outcome, attempt, seq, assigned_at,
         last_report_at, inconclusive, reason, store_path, previous_store_path)
       VALUES (@rolloutId, @host, @position, @batch, @outcome, @attempt, @seq, @assignedAt, @lastReportAt,
         @inconclusive, @reason, @storePath, @previousStorePath)`,
    ),
    updateRollout: p(
      `UPDATE rollouts SET status = @status, current = @current, pause_reason = @pauseReason,
         failure_reason = @failureReason, failed_total = @failedTotal, revert_requested = @revertRequested,
         started_at = @startedAt, finished_at = @finishedAt, version = version + 1
       WHERE id = @id AND version = @version`,
    ),
    updateBatch: p(
      `UPDATE rollout_batches SET seq_length = @seqLength, next = @next, timeout_cursor = @timeoutCursor,
         phase = @phase, accepted = @accepted, in_flight = @inFlight, confirmed = @confirmed, failed = @failed,
         inconclusive = @inconclusive, gate_decision_id = @gateDecisionId, started_at = @startedAt,
         bake_until = @bakeUntil, finished_at = @finishedAt
       WHERE rollout_id = @rolloutId AND idx = @index`,
    ),
    updateHost: p(
      `UPDATE rollout_hosts SET outcome = @outcome, attempt = @attempt, seq = @seq, assigned_at = @assignedAt,
         last_report_at = @lastReportAt, inconclusive = @inconclusive, reason = @reason
       WHERE rollout_id = @rolloutId AND machine_id = @host`,
    ),
    insertCommand: p(`INSERT INTO rollout_commands (rollout_id, command, created_at) VALUES (?, ?, ?)`),
    insertEvent: p(
      `INSERT INTO rollout_events (rollout_id, at, kind, batch, machine_id, message) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    pendingCommands: p(
      `SELECT seq, rollout_id AS rolloutId, command FROM rollout_commands WHERE applied_at IS NULL ORDER BY seq LIMIT ?`,
    ),
    markApplied: p(`UPDATE rollout_commands SET applied_at = ? WHERE seq = ? AND applied_at IS NULL`),
  };
  cache.set(db, s);
  return s;
}

const bool = (b: boolean): number => (b ? 1 : 0);

function batchParams(rolloutId: string, b: RolloutState["batches"][number]) {
  const { seq, accepted, ...rest } = b;
  return { ...rest, rolloutId, seqLength: seq.length, accepted: bool(accepted) };
}

function hostParams(rolloutId: string, h: HostState) {
  return { ...h, rolloutId, inconclusive: bool(h.inconclusive) };
}

export function findRolloutRow(db: Db, id: string): RolloutRow | undefined {
  return statements(db).rollout.get(id) as RolloutRow | undefined;
}

export function getRolloutRow(db: Db, id: string): RolloutRow {
  const row = findRolloutRow(db, id);
  if (!row) throw new NotFound(`rollout ${id} does not exist`, { rolloutId: id });
  return row;
}

export interface LoadedRollout {
  row: RolloutRow;
  state: RolloutState;
  targets: Map<string, HostTarget>;
}

/** Rebuilds a rollout's engine state from its rows (O(hosts); done at start-up or after another writer). */
export function loadRollout(db: Db, id: string): LoadedRollout {
  const s = statements(db);
  const row = getRolloutRow(db, id);
  const batches = (s.batches.all(id) as (Omit<BatchRow, "accepted"> & { accepted: number })[]).map((b) => ({
    ...b,
    accepted: b.accepted === 1,
  }));
  const targets = new Map<string, HostTarget>();
  const hosts: HostState[] = [];
  for (const r of s.hosts.all(id) as (Omit<HostState, "inconclusive"> & {
    inconclusive: number;
    storePath: string;
    previousStorePath: string | null;
  })[]) {
    const { storePath, previousStorePath, inconclusive, ...h } = r;
    hosts.push({ ...h, inconclusive: inconclusive === 1 });
    targets.set(h.host, { storePath, previousStorePath });
  }
  const state = restoreRolloutState({
    id,
    status: row.status,
    spec: normalizeSpec(JSON.parse(row.spec) as RolloutSpec),
    current: row.current,
    pauseReason: row.pauseReason as RolloutState["pauseReason"],
    failureReason: row.failureReason as RolloutState["failureReason"],
    failedTotal: row.failedTotal,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    revertRequested: row.revertRequested === 1,
    batches,
    hosts,
  });
  return { row, state, targets };
}

export interface NewRollout {
  state: RolloutState;
  spec: RolloutSpec;
  releaseId: string | null;
  rollbackOf: string | null;
  previousReleaseId: string | null;
  targets: Map<string, HostTarget>;
  createdAt: number;
  createdBy: string;
}

/** Inserts a planned (pending) rollout with all its batch and host rows. Call inside a transaction. */
export function insertRollout(db: Db, r: NewRollout): void {
  const s = statements(db);
  const st = r.state;
  s.insertRollout.run({
    id: st.id,
    releaseId: r.releaseId,
    rollbackOf: r.rollbackOf,
    status: st.status,
    spec: JSON.stringify(r.spec),
    current: st.current,
    pauseReason: st.pauseReason,
    failureReason: st.failureReason,
    failedTotal: st.failedTotal,
    targetsTotal: st.targetsTotal,
    revertRequested: bool(st.revertRequested),
    previousReleaseId: r.previousReleaseId,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    startedAt: st.startedAt,
    finishedAt: st.finishedAt,
  });
  for (const b of st.batches) s.insertBatch.run(batchParams(st.id, b));
  let position = 0;
  for (const h of st.hosts.values()) {
    const target = r.targets.get(h.host);
    if (!target) throw new Error(`rollout ${st.id}: no store path for ${h.host}`);
    s.insertHost.run({ ...hostParams(st.id, h), position: position++, ...target });
  }
}

/** A step's changes, possibly merged over several events of one tick. */
export interface PendingWrite {
  state: RolloutState;
  rollout: boolean;
  batches: Set<number>;
  hosts: Set<string>;
  commands: RolloutCommand[];
}

export function emptyWrite(state: RolloutState): PendingWrite {
  return { state, rollout: false, batches: new Set(), hosts: new Set(), commands: [] };
}

/** Folds one step result into a pending write. */
export function mergeStep(w: PendingWrite, r: StepResult): PendingWrite {
  w.state = r.state;
  w.rollout ||= r.touched.rollout;
  for (const b of r.touched.batches) w.batches.add(b);
  for (const h of r.touched.hosts) w.hosts.add(h);
  w.commands.push(...r.commands);
  return w;
}

export function isEmptyWrite(w: PendingWrite): boolean {
  return !w.rollout && w.batches.size === 0 && w.hosts.size === 0 && w.commands.length === 0;
}

/**
 * Writes a pending step: changed rows, events, and the outbox commands — all inside the caller's
 * transaction, before any command takes effect. `version` is what the writer loaded; a mismatch means
 * someone else moved the rollout meanwhile, and the write is refused (Conflict) rather than lost.
 * Returns the new version.
 */
export function persistWrite(db: Db, w: PendingWrite, version: number, now: number): number {
  if (!db.sqlite.inTransaction) throw new Error("persistWrite must run inside a transaction");
  const s = statements(db);
  const st = w.state;
  const changed = s.updateRollout.run({
    id: st.id,
    version,
    status: st.status,
    current: st.current,
    pauseReason: st.pauseReason,
    failureReason: st.failureReason,
    failedTotal: st.failedTotal,
    revertRequested: bool(st.revertRequested),
    startedAt: st.startedAt,
    finishedAt: st.finishedAt,
  });
  if (changed.changes !== 1)
    throw new Conflict(`rollout ${st.id} changed meanwhile; try again`, { rolloutId: st.id });
  for (const i of w.batches) s.updateBatch.run(batchParams(st.id, st.batches[i]!));
  for (const id of w.hosts) s.updateHost.run(hostParams(st.id, st.hosts.get(id)!));
  for (const c of w.commands) {
    if (c.type === "record-event")
      s.insertEvent.run(
        st.id,
        now,
        c.event.kind,
        c.event.batch ?? null,
        c.event.host ?? null,
        c.event.message,
      );
    else s.insertCommand.run(st.id, JSON.stringify(c), now);
  }
  return version + 1;
}

export interface StoredCommand {
  seq: number;
  rolloutId: string;
  command: Exclude<RolloutCommand, { type: "record-event" }>;
}

/** Commands persisted but not yet applied, oldest first. */
export function pendingCommands(db: Db, limit = 10_000): StoredCommand[] {
  return (
    statements(db).pendingCommands.all(limit) as { seq: number; rolloutId: string; command: string }[]
  ).map((r) => ({
    seq: r.seq,
    rolloutId: r.rolloutId,
    command: JSON.parse(r.command) as StoredCommand["command"],
  }));
}

/** Marks a command applied; false when it already was (a second applier lost the race). */
export function markApplied(db: Db, seq: number, now: number): boolean {
  return statements(db).markApplied.run(now, seq).changes === 1;
}
