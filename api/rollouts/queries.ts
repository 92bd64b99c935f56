/** Reads of rollouts (no mutation): the API's view of one rollout, pages of rollouts, and the event log. */
import type { Rollout, RolloutBatch, RolloutHost } from "../../schemas/generated/rollout.js";
import type { RolloutEvent as RolloutEventDoc } from "../../schemas/generated/rollout-event.js";
import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import type { Db } from "../db/client.js";
import { getRolloutRow, type RolloutRow } from "./store.js";

export type RolloutView = Rollout;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Which hosts a view lists: none, those needing attention (in flight, failed, inconclusive), or all. */
export type HostFilter = "none" | "problems" | "all";

interface BatchDbRow {
  idx: number;
  amount: string;
  size: number;
  phase: RolloutBatch["phase"];
  accepted: number;
  next: number;
  inFlight: number;
  confirmed: number;
  failed: number;
  inconclusive: number;
  gateDecisionId: string | null;
  startedAt: number | null;
  bakeUntil: number | null;
  finishedAt: number | null;
}

interface HostDbRow {
  machineId: string;
  batch: number;
  outcome: RolloutHost["outcome"];
  attempt: number;
  inconclusive: number;
  reason: string | null;
  storePath: string;
  assignedAt: number | null;
}

function toView(db: Db, row: RolloutRow, hosts: HostFilter): RolloutView {
  const batches = db.sqlite
    .prepare(
      `SELECT idx, amount, size, phase, accepted, next, in_flight AS inFlight, confirmed, failed, inconclusive,
         gate_decision_id AS gateDecisionId, started_at AS startedAt, bake_until AS bakeUntil, finished_at AS finishedAt
       FROM rollout_batches WHERE rollout_id = ? ORDER BY idx`,
    )
    .all(row.id) as BatchDbRow[];
  const view: RolloutView = {
    id: row.id,
    releaseId: row.releaseId,
    rollbackOf: row.rollbackOf,
    revertRolloutId: row.revertRolloutId,
    previousReleaseId: row.previousReleaseId,
    status: row.status,
    pauseReason: row.pauseReason as RolloutView["pauseReason"],
    failureReason: row.failureReason as RolloutView["failureReason"],
    spec: JSON.parse(row.spec) as RolloutSpec,
    currentBatch: row.current,
    targets: row.targetsTotal,
    failedHosts: row.failedTotal,
    createdAt: new Date(row.createdAt).toISOString(),
    createdBy: row.createdBy,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    batches: batches.map((b) => ({
      index: b.idx,
      amount: b.amount,
      size: b.size,
      phase: b.phase,
      accepted: b.accepted === 1,
      assigned: b.next,
      inFlight: b.inFlight,
      confirmed: b.confirmed,
      failed: b.failed,
      inconclusive: b.inconclusive,
      gateDecisionId: b.gateDecisionId,
      startedAt: iso(b.startedAt),
      bakeUntil: iso(b.bakeUntil),
      finishedAt: iso(b.finishedAt),
    })),
  };
  if (hosts !== "none") {
    const where =
      hosts === "all"
        ? ""
        : `AND (inconclusive = 1 OR outcome IN ('failed', 'rolled-back', 'unreachable')
             OR (assigned_at IS NOT NULL AND outcome IN ('pending', 'fetching', 'applying', 'verifying')))`;
    const rows = db.sqlite
      .prepare(
        `SELECT machine_id AS machineId, batch, outcome, attempt, inconclusive, reason, store_path AS storePath,
           assigned_at AS assignedAt
         FROM rollout_hosts WHERE rollout_id = ? ${where} ORDER BY position`,
      )
      .all(row.id) as HostDbRow[];
    view.hosts = rows.map((h) => ({
      machineId: h.machineId,
      batch: h.batch,
      outcome: h.outcome,
      attempt: h.attempt,
      inconclusive: h.inconclusive === 1,
      reason: h.reason,
      storePath: h.storePath,
      assignedAt: iso(h.assignedAt),
    }));
  }
  return view;
}

export function getRolloutView(db: Db, id: string, hosts: HostFilter = "none"): RolloutView {
  return toView(db, getRolloutRow(db, id), hosts);
}

/** A page of rollouts, newest first (ids are time-sortable); `next` is the last id when more may follow. */
export function listRollouts(
  db: Db,
  filter: { status?: RolloutView["status"]; before?: string; limit: number },
): { items: RolloutView[]; next?: string } {
  const rows = db.sqlite
    .prepare(
      `SELECT id FROM rollouts WHERE (@status IS NULL OR status = @status) AND (@before IS NULL OR id < @before)
       ORDER BY id DESC LIMIT @limit`,
    )
    .all({ status: filter.status ?? null, before: filter.before ?? null, limit: filter.limit + 1 }) as {
    id: string;
  }[];
  const page = rows.slice(0, filter.limit);
  const items = page.map((r) => getRolloutView(db, r.id));
  return rows.length > filter.limit ? { items, next: page[page.length - 1]!.id } : { items };
}

/** Events of a rollout after `afterSeq`, oldest first. */
export function rolloutEventsSince(
  db: Db,
  rolloutId: string,
  afterSeq: number,
  limit = 500,
): RolloutEventDoc[] {
  const rows = db.sqlite
    .prepare(
      `SELECT seq, rollout_id AS rolloutId, at, kind, batch, machine_id AS machineId, message
       FROM rollout_events WHERE rollout_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    )
    .all(rolloutId, afterSeq, limit) as (Omit<RolloutEventDoc, "at"> & { at: number })[];
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

/** Active rollouts (pending, running, paused) holding any of these machines. */
export function activeHolders(
  db: Db,
  machineIds: readonly string[],
): { machineId: string; rolloutId: string }[] {
  if (machineIds.length === 0) return [];
  return db.sqlite
    .prepare(
      `SELECT h.machine_id AS machineId, h.rollout_id AS rolloutId
       FROM rollout_hosts h JOIN rollouts r ON r.id = h.rollout_id
       WHERE r.status IN ('pending', 'running', 'paused') AND h.machine_id IN (SELECT value FROM json_each(?))
       ORDER BY h.machine_id`,
    )
    .all(JSON.stringify(machineIds)) as { machineId: string; rolloutId: string }[];
}
