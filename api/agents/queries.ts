/** Reads behind the agent endpoints, as prepared statements: the desired-generation poll is the hot path. */
import type BetterSqlite3 from "better-sqlite3";
import type { DesiredGeneration } from "../../schemas/generated/desired-generation.js";
import type { HealthCheck } from "../../schemas/generated/health-check.js";
import type { Db } from "../db/client.js";

/** A desired_generations row as the API shows it. */
export interface StoredDesired {
  machineId: string;
  storePath: string | null;
  releaseId: string | null;
  rolloutId: string | null;
  cacheUrl: string | null;
  confirmWindowMs: number | null;
  healthTimeoutMs: number | null;
  healthChecks: HealthCheck[] | null;
  pollAfterMs: number | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

interface DesiredRow {
  lifecycle: string;
  storePath: string | null;
  releaseId: string | null;
  rolloutId: string | null;
  cacheUrl: string | null;
  confirmWindowMs: number | null;
  healthTimeoutMs: number | null;
  healthChecks: string | null;
  pollAfterMs: number | null;
  version: number | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

const cache = new WeakMap<Db, BetterSqlite3.Statement>();

function desiredStatement(db: Db): BetterSqlite3.Statement {
  let s = cache.get(db);
  if (!s) {
    s = db.sqlite.prepare(
      `SELECT m.lifecycle, d.store_path AS storePath, d.release_id AS releaseId, d.rollout_id AS rolloutId,
         d.cache_url AS cacheUrl, d.confirm_window_ms AS confirmWindowMs, d.health_timeout_ms AS healthTimeoutMs,
         d.health_checks AS healthChecks, d.poll_after_ms AS pollAfterMs, d.version, d.updated_at AS updatedAt,
         d.updated_by AS updatedBy
       FROM machines m LEFT JOIN desired_generations d ON d.machine_id = m.id WHERE m.id = ?`,
    );
    cache.set(db, s);
  }
  return s;
}

/** The machine's lifecycle and desired row, or undefined when the machine is not registered. */
export function desiredRow(db: Db, machineId: string): DesiredRow | undefined {
  return desiredStatement(db).get(machineId) as DesiredRow | undefined;
}

export function readDesired(db: Db, machineId: string): StoredDesired | undefined {
  const row = desiredRow(db, machineId);
  if (!row || row.version === null) return undefined;
  return {
    machineId,
    storePath: row.storePath,
    releaseId: row.releaseId,
    rolloutId: row.rolloutId,
    cacheUrl: row.cacheUrl,
    confirmWindowMs: row.confirmWindowMs,
    healthTimeoutMs: row.healthTimeoutMs,
    healthChecks: row.healthChecks ? (JSON.parse(row.healthChecks) as HealthCheck[]) : null,
    pollAfterMs: row.pollAfterMs,
    version: row.version,
    updatedAt: new Date(row.updatedAt ?? 0).toISOString(),
    updatedBy: row.updatedBy ?? "",
  };
}

/** The document an agent receives (schemas/desired-generation). */
export function desiredDocument(
  machineId: string,
  row: DesiredRow,
  defaultPollAfterMs: number,
): DesiredGeneration {
  const doc: DesiredGeneration = {
    machineId,
    storePath: row.storePath,
    rolloutId: row.rolloutId,
    releaseId: row.releaseId,
    pollAfterMs: row.pollAfterMs ?? defaultPollAfterMs,
  };
  if (row.cacheUrl !== null) doc.cacheUrl = row.cacheUrl;
  if (row.confirmWindowMs !== null) doc.confirmWindowMs = row.confirmWindowMs;
  if (row.healthTimeoutMs !== null) doc.healthTimeoutMs = row.healthTimeoutMs;
  if (row.healthChecks !== null) doc.healthChecks = JSON.parse(row.healthChecks) as HealthCheck[];
  return doc;
}
