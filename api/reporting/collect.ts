/**
 * Reads what the auditor outputs need from the control plane's SQLite database, for a period: inventory,
 * control results bound to sealed evidence records, waivers, rollouts, audit events. Used by GET
 * /api/v1/reports/* and, offline, by `nixfleet report nis2 --db` and `nixfleet evidence export --db`, so the
 * report, the bundle and the API cite the same evidence ids and SHA-256 digests.
 *
 * Evidence records are derived deterministically from stored rows (id, collection time and payload are the
 * row's), so the digest the report prints is the digest of the record the bundle carries:
 * - runtime items (evidence_items) → a record of their kind, source "runtime";
 * - eval results of the release each machine is set to run → a "control-result" record, source "eval", with an
 *   id derived from the release id, host and control (the same every time);
 * - gate decisions → the stored record itself.
 */
import { catalog, evaluateRuntime } from "../../controls/index.js";
import { findWaiver } from "../../engine/governance/index.js";
import { canonicalHash } from "../../evidence/canonical.js";
import { type EvidenceRecord, sealRecord, type UnsealedRecord } from "../../evidence/records.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { Policy, Waiver } from "../../schemas/generated/policy.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";
import { newId } from "../../schemas/ids.js";
import type { Db } from "../db/client.js";
import { currentPolicy, effectivePolicy } from "../policy/store.js";

export interface Period {
  sinceMs: number;
  untilMs: number;
}

export interface InventoryHost {
  host: string;
  machineId: string;
  platform?: "nixos" | "darwin";
  tags: string[];
  nixosVersion: string | null;
  toplevel: string | null;
  flakeRevision: string | null;
  releaseId?: string;
}

/** A control result with the evidence record it rests on. */
export interface CollectedResult extends ControlResult {
  evidenceId: string;
  collectedAt: string;
  evidenceSha256: string;
}

export interface CollectedRollout {
  id: string;
  kind: "rollout" | "rollback";
  status: string;
  releaseId: string | null;
  rollbackOf?: string;
  createdAt: string;
  finishedAt?: string;
  targets: number;
  failedHosts: number;
  reason?: string;
}

/** An audit event as the hash chain covers it, plus its hash. */
export interface AuditEventRow {
  seq: number;
  id: string;
  at: number;
  actorKind: string;
  actorId: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface CollectedPeriod {
  inventory: InventoryHost[];
  results: CollectedResult[];
  records: EvidenceRecord[];
  waivers: Waiver[];
  rollouts: CollectedRollout[];
  policy: Policy;
}

interface MachineRow {
  id: string;
  hostName: string;
  platform: "nixos" | "darwin" | null;
  releaseId: string | null;
  currentStorePath: string | null;
}

interface ItemRow {
  id: string;
  machineId: string;
  hostName: string | null;
  kind: "runtime-report" | "health-check" | "control-result";
  collectedAt: number;
  payload: string;
  controlId: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The sealed record of a stored runtime item (deterministic: every field comes from the row). */
export function recordFromItem(row: ItemRow): EvidenceRecord {
  const subject: UnsealedRecord["subject"] = { machineId: row.machineId };
  if (row.hostName) subject.host = row.hostName;
  if (row.controlId) subject.controlId = row.controlId;
  return sealRecord({
    id: row.id,
    kind: row.kind,
    source: "runtime",
    subject,
    collectedAt: iso(row.collectedAt),
    payload: JSON.parse(row.payload) as unknown,
  });
}

/** A stable evidence id for an eval result of a release: time of the release, randomness from the content. */
export function evalEvidenceId(
  releaseId: string,
  host: string,
  controlId: string,
  createdAtMs: number,
): string {
  const digest = Buffer.from(canonicalHash({ releaseId, host, controlId }), "hex");
  return newId("evd", createdAtMs, digest.subarray(0, 10));
}

/** The sealed record of an eval-time result carried by a release manifest. */
export function recordFromReleaseResult(
  releaseId: string,
  createdAtMs: number,
  result: ControlResult,
): EvidenceRecord {
  const { evidenceId: _link, ...payload } = result;
  return sealRecord({
    id: result.evidenceId ?? evalEvidenceId(releaseId, result.host, result.controlId, createdAtMs),
    kind: "control-result",
    source: "eval",
    subject: { host: result.host, releaseId, controlId: result.controlId },
    collectedAt: result.collectedAt ?? iso(createdAtMs),
    payload,
  });
}

function machines(db: Db): MachineRow[] {
  return db.sqlite
    .prepare(
      `SELECT m.id, m.host_name AS hostName, m.platform, d.release_id AS releaseId, m.current_store_path AS currentStorePath
       FROM machines m LEFT JOIN desired_generations d ON d.machine_id = m.id
       WHERE m.lifecycle != 'decommissioned' ORDER BY m.id`,
    )
    .all() as MachineRow[];
}

function tagsByMachine(db: Db): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of db.sqlite.prepare("SELECT machine_id AS m, tag FROM machine_tags ORDER BY tag").all() as {
    m: string;
    tag: string;
  }[]) {
    const list = out.get(r.m) ?? [];
    list.push(r.tag);
    out.set(r.m, list);
  }
  return out;
}

interface ReleaseRow {
  id: string;
  manifest: string;
  createdAt: number;
}

function releaseById(db: Db): (id: string) => { manifest: ReleaseManifest; createdAt: number } | undefined {
  const cache = new Map<string, { manifest: ReleaseManifest; createdAt: number } | undefined>();
  const stmt = db.sqlite.prepare("SELECT id, manifest, created_at AS createdAt FROM releases WHERE id = ?");
  return (id) => {
    if (!cache.has(id)) {
      const row = stmt.get(id) as ReleaseRow | undefined;
      cache.set(
        id,
        row ? { manifest: JSON.parse(row.manifest) as ReleaseManifest, createdAt: row.createdAt } : undefined,
      );
    }
    return cache.get(id);
  };
}

/** Everything the NIS2 report and the evidence bundle need for a period, read in one pass. */
export function collectPeriod(db: Db, period: Period): CollectedPeriod {
  const policy = effectivePolicy(db, currentPolicy(db).document);
  const tags = tagsByMachine(db);
  const release = releaseById(db);
  const inventory: InventoryHost[] = [];
  const results: CollectedResult[] = [];
  const records = new Map<string, EvidenceRecord>();
  const factsOf = new Map<string, ReleaseManifest["hosts"][string]["facts"]>();

  for (const m of machines(db)) {
    const rel = m.releaseId ? release(m.releaseId) : undefined;
    const entry = rel?.manifest.hosts[m.hostName];
    const meta = entry?.facts?.nixfleet.meta;
    const host: InventoryHost = {
      host: m.hostName,
      machineId: m.id,
      tags: tags.get(m.id) ?? [],
      nixosVersion: meta?.nixosVersion ?? null,
      toplevel: entry?.toplevel ?? m.currentStorePath,
      flakeRevision: meta?.flakeRevision ?? rel?.manifest.source?.revision ?? null,
    };
    const platform = m.platform ?? meta?.platform;
    if (platform === "nixos" || platform === "darwin") host.platform = platform;
    if (m.releaseId) host.releaseId = m.releaseId;
    inventory.push(host);
    if (entry?.facts) factsOf.set(m.id, entry.facts);
    // Eval evidence of the release the machine is set to run: created before the end of the period.
    if (entry && rel && m.releaseId && rel.createdAt <= period.untilMs) {
      for (const r of entry.evalEvidence) {
        const result: ControlResult = { ...r, host: m.hostName };
        const record = recordFromReleaseResult(m.releaseId, rel.createdAt, result);
        records.set(record.id, record);
        results.push({
          ...result,
          evidenceId: record.id,
          collectedAt: record.collectedAt,
          evidenceSha256: record.sha256,
        });
      }
    }
  }
  const hostOf = new Map(inventory.map((h) => [h.machineId, h.host]));

  const items = db.sqlite
    .prepare(
      `SELECT e.id, e.machine_id AS machineId, m.host_name AS hostName, e.kind, e.collected_at AS collectedAt,
         e.payload, e.control_id AS controlId
       FROM evidence_items e LEFT JOIN machines m ON m.id = e.machine_id
       WHERE e.collected_at >= ? AND e.collected_at <= ? ORDER BY e.seq`,
    )
    .all(period.sinceMs, period.untilMs) as ItemRow[];
  for (const item of items) {
    const record = recordFromItem(item);
    records.set(record.id, record);
    const host = item.hostName ?? hostOf.get(item.machineId) ?? item.machineId;
    if (item.kind === "control-result") {
      const r = JSON.parse(item.payload) as ControlResult;
      results.push({
        ...r,
        host,
        source: "runtime",
        evidenceId: record.id,
        collectedAt: record.collectedAt,
        evidenceSha256: record.sha256,
      });
    } else if (item.kind === "runtime-report") {
      const report = JSON.parse(item.payload) as RuntimeReport;
      for (const r of evaluateRuntime(report, catalog, factsOf.get(item.machineId)))
        results.push({
          ...r,
          host,
          evidenceId: record.id,
          collectedAt: record.collectedAt,
          evidenceSha256: record.sha256,
        });
    }
  }

  const gates = db.sqlite
    .prepare(
      "SELECT record FROM gate_decisions WHERE decided_at >= ? AND decided_at <= ? ORDER BY decided_at, id",
    )
    .all(period.sinceMs, period.untilMs) as { record: string }[];
  for (const g of gates) {
    const record = JSON.parse(g.record) as EvidenceRecord;
    records.set(record.id, record);
  }

  // Waivers: a failing result covered by a waiver valid at the end of the period is reported as waived.
  const waivers = [...(policy.waivers ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const tagsOfHost = new Map(inventory.map((h) => [h.host, h.tags]));
  const waivedResults = results.map((r) => {
    if (r.status !== "fail") return r;
    const w = findWaiver(waivers, r.controlId, r.host, tagsOfHost.get(r.host) ?? [], period.untilMs);
    return w
      ? {
          ...r,
          status: "waived" as const,
          waiver: { id: w.id, rationale: w.rationale, approver: w.approvedBy, expiresAt: w.expiresAt },
        }
      : r;
  });

  const rollouts = (
    db.sqlite
      .prepare(
        `SELECT id, release_id AS releaseId, rollback_of AS rollbackOf, status, created_at AS createdAt,
           finished_at AS finishedAt, failed_total AS failedTotal, targets_total AS targetsTotal,
           failure_reason AS failureReason
         FROM rollouts WHERE created_at >= ? AND created_at <= ? ORDER BY created_at, id`,
      )
      .all(period.sinceMs, period.untilMs) as {
      id: string;
      releaseId: string | null;
      rollbackOf: string | null;
      status: string;
      createdAt: number;
      finishedAt: number | null;
      failedTotal: number;
      targetsTotal: number;
      failureReason: string | null;
    }[]
  ).map((r) => {
    const out: CollectedRollout = {
      id: r.id,
      kind: r.rollbackOf ? "rollback" : "rollout",
      status: r.status,
      releaseId: r.releaseId,
      createdAt: iso(r.createdAt),
      targets: r.targetsTotal,
      failedHosts: r.failedTotal,
    };
    if (r.rollbackOf) out.rollbackOf = r.rollbackOf;
    if (r.finishedAt !== null) out.finishedAt = iso(r.finishedAt);
    if (r.failureReason) out.reason = r.failureReason;
    return out;
  });

  return {
    inventory: inventory.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    results: waivedResults,
    records: [...records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    waivers,
    rollouts,
    policy,
  };
}

/** Audit events of a period, in chain order, and the hash the first one links to. */
export function auditEventsOf(
  db: Db,
  period: Period,
): { events: AuditEventRow[]; anchorHash: string | null } {
  const events = db.sqlite
    .prepare(
      `SELECT seq, id, at, actor_kind AS actorKind, actor_id AS actorId, actor_role AS actorRole, action,
         target_type AS targetType, target_id AS targetId, before, after, request_id AS requestId,
         prev_hash AS prevHash, hash
       FROM audit_events WHERE at >= ? AND at <= ? ORDER BY seq`,
    )
    .all(period.sinceMs, period.untilMs) as AuditEventRow[];
  return { events, anchorHash: events[0]?.prevHash ?? null };
}
