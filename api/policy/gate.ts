/**
 * Running the governance gate for a rollout: gather the inputs (policy with waivers, targets with their tags,
 * eval-time results from the release manifest, runtime results agents sent), call the pure decideGate, and
 * store the decision as evidence (kind gate-decision) with its audit event.
 *
 * Before a rollout: every target on its release's eval-time evidence. Before a batch: the hosts already
 * updated on their runtime evidence (drift findings included), and the batch's hosts on their eval-time
 * evidence again — a waiver that expired since the start blocks here. The two decisions merge into one.
 */

import { catalog, detectDrift, evaluateRuntime } from "../../controls/index.js";
import { decideGate, type GateDecision, type GateTarget } from "../../engine/governance/index.js";
import { canonicalHash } from "../../evidence/canonical.js";
import { sealRecord } from "../../evidence/records.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { EvidenceRecord } from "../../schemas/generated/evidence-record.js";
import type { Facts } from "../../schemas/generated/facts.js";
import type { Policy } from "../../schemas/generated/policy.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";
import { newId } from "../../schemas/ids.js";
import type { Db } from "../db/client.js";
import { recordAudit } from "../services/audit-chain.js";
import type { ServiceContext } from "../services/context.js";
import { effectivePolicy } from "./store.js";

export interface GateRequest {
  rolloutId: string | null;
  releaseId: string | null;
  /** machine ids judged on eval-time evidence (the targets, or the next batch) */
  evalHosts: readonly string[];
  /** machine ids judged on runtime evidence (hosts this rollout already updated) */
  runtimeHosts: readonly string[];
  phase: "pre-rollout" | "pre-batch";
  batch: number | null;
  /** a rollback is gated for the record but never blocked: blocking it would keep a broken release running */
  rollback: boolean;
  /** replace the policy in force (policy check of a candidate) */
  policy?: Policy;
}

export interface GateOutcome {
  allow: boolean;
  /** gat_ id; null for a decision that was not stored (plan, check) */
  decisionId: string | null;
  evidenceId: string | null;
  decision: GateDecision;
}

interface MachineInfo {
  id: string;
  hostName: string;
  tags: string | null;
}

function machineInfo(db: Db, ids: readonly string[]): MachineInfo[] {
  if (ids.length === 0) return [];
  return db.sqlite
    .prepare(
      `SELECT m.id, m.host_name AS hostName,
         (SELECT json_group_array(tag) FROM machine_tags t WHERE t.machine_id = m.id) AS tags
       FROM machines m WHERE m.id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(ids)) as MachineInfo[];
}

function toTargets(infos: MachineInfo[]): GateTarget[] {
  return infos.map((m) => ({ host: m.hostName, tags: m.tags ? (JSON.parse(m.tags) as string[]) : [] }));
}

type ReleaseHosts = Map<string, { evalEvidence: ControlResult[]; facts: Facts | undefined }>;

/** Releases are immutable, so their parsed manifests can be cached per database. */
const releaseCache = new WeakMap<Db, Map<string, ReleaseHosts>>();

function releaseHosts(db: Db, releaseId: string | null): ReleaseHosts {
  if (!releaseId) return new Map();
  let perDb = releaseCache.get(db);
  if (!perDb) {
    perDb = new Map();
    releaseCache.set(db, perDb);
  }
  let byHost = perDb.get(releaseId);
  if (!byHost) {
    const row = db.sqlite.prepare("SELECT manifest FROM releases WHERE id = ?").get(releaseId) as
      | { manifest: string }
      | undefined;
    byHost = new Map();
    if (row) {
      const manifest = JSON.parse(row.manifest) as ReleaseManifest;
      for (const [host, entry] of Object.entries(manifest.hosts))
        byHost.set(host, { evalEvidence: entry.evalEvidence, facts: entry.facts });
    }
    perDb.set(releaseId, byHost);
  }
  return byHost;
}

function evalResults(db: Db, releaseId: string | null, hostNames: Set<string>): ControlResult[] {
  if (!releaseId || hostNames.size === 0) return [];
  const byHost = releaseHosts(db, releaseId);
  const out: ControlResult[] = [];
  for (const host of hostNames) out.push(...(byHost.get(host)?.evalEvidence ?? []));
  return out;
}

/**
 * Runtime evidence of updated machines: each machine's latest runtime report run through the catalog's
 * runtime checks, plus drift against the release's eval-time facts (as api/evidence/compliance.ts does), and
 * the newest control result per control the agent sent itself. The gate keeps the newest per control.
 */
function runtimeResults(db: Db, machines: readonly MachineInfo[], releaseId: string | null): ControlResult[] {
  if (machines.length === 0) return [];
  const latestReport = db.sqlite.prepare(
    `SELECT id, payload, collected_at AS collectedAt FROM evidence_items
     WHERE machine_id = ? AND kind = 'runtime-report' ORDER BY collected_at DESC, seq DESC LIMIT 1`,
  );
  const hosts = releaseHosts(db, releaseId);
  const out: ControlResult[] = [];
  for (const m of machines) {
    const row = latestReport.get(m.id) as { id: string; payload: string; collectedAt: number } | undefined;
    if (!row) continue;
    const report = JSON.parse(row.payload) as RuntimeReport;
    const facts = hosts.get(m.hostName)?.facts;
    const results = [
      ...evaluateRuntime(report, catalog, facts),
      ...(facts ? detectDrift(facts, report) : []),
    ];
    for (const r of results)
      out.push({
        ...r,
        host: m.hostName,
        evidenceId: row.id,
        collectedAt: r.collectedAt ?? new Date(row.collectedAt).toISOString(),
      });
  }
  return [
    ...out,
    ...controlResultItems(
      db,
      machines.map((m) => m.id),
    ),
  ];
}

/** The newest control result per (machine, control) that agents sent. */
function controlResultItems(db: Db, machineIds: readonly string[]): ControlResult[] {
  if (machineIds.length === 0) return [];
  const rows = db.sqlite
    .prepare(
      `SELECT id, payload, max(collected_at) AS collectedAt FROM evidence_items
       WHERE kind = 'control-result' AND machine_id IN (SELECT value FROM json_each(?))
       GROUP BY machine_id, control_id`,
    )
    .all(JSON.stringify(machineIds)) as { id: string; payload: string; collectedAt: number }[];
  return rows.map((r) => {
    const result = JSON.parse(r.payload) as ControlResult;
    // The stored item is the evidence: link to it, and trust its collection time column over a missing one.
    return {
      ...result,
      source: "runtime" as const,
      evidenceId: result.evidenceId ?? r.id,
      collectedAt: result.collectedAt ?? new Date(r.collectedAt).toISOString(),
    };
  });
}

const RANK = { allow: 0, warn: 1, block: 2 } as const;
const MODE_RANK = { disabled: 0, permissive: 1, enforce: 2 } as const;

/** One decision out of two over disjoint target sets: the worse verdict, the stricter mode, everything listed. */
export function mergeDecisions(a: GateDecision, b: GateDecision, phase: GateDecision["phase"]): GateDecision {
  const counts = { ...a.counts };
  for (const k of Object.keys(counts) as (keyof GateDecision["counts"])[]) counts[k] += b.counts[k];
  return {
    decision: RANK[a.decision] >= RANK[b.decision] ? a.decision : b.decision,
    mode: MODE_RANK[a.mode] >= MODE_RANK[b.mode] ? a.mode : b.mode,
    phase,
    decidedAt: a.decidedAt,
    ...(a.policySha256 ? { policySha256: a.policySha256 } : {}),
    reasons: [...a.reasons, ...b.reasons],
    targets: [...a.targets, ...b.targets],
    counts,
  };
}

/** The decision for a request, without storing it. */
export function decideForRollout(db: Db, req: GateRequest, now: number): GateDecision {
  const policy = effectivePolicy(db, req.policy);
  const runtimeSet = new Set(req.runtimeHosts);
  const evalOnly = machineInfo(
    db,
    req.evalHosts.filter((h) => !runtimeSet.has(h)),
  );
  const updated = machineInfo(db, req.runtimeHosts);
  const evalDecision = decideGate({
    policy,
    targets: toTargets(evalOnly),
    results: evalResults(db, req.releaseId, new Set(evalOnly.map((m) => m.hostName))),
    now,
    phase: "pre-rollout",
  });
  if (req.phase === "pre-rollout" || updated.length === 0)
    return req.phase === "pre-rollout" ? evalDecision : { ...evalDecision, phase: "pre-batch" };
  const runtimeDecision = decideGate({
    policy,
    targets: toTargets(updated),
    // controls without a runtime check are still judged on the release's eval-time evidence
    results: [
      ...evalResults(db, req.releaseId, new Set(updated.map((m) => m.hostName))),
      ...runtimeResults(db, updated, req.releaseId),
    ],
    now,
    phase: "pre-batch",
  });
  return evalOnly.length === 0 ? runtimeDecision : mergeDecisions(runtimeDecision, evalDecision, "pre-batch");
}

/** Decides, and stores the decision as evidence and in the audit trail (inside the caller's transaction). */
export function runGate(ctx: ServiceContext, req: GateRequest): GateOutcome {
  const now = ctx.clock.now();
  const decided = decideForRollout(ctx.db, req, now);
  const id = newId("gat", now);
  const decision: GateDecision = { id, ...decided };
  const allow = req.rollback || decision.decision !== "block";
  const subject: EvidenceRecord["subject"] = {};
  if (req.rolloutId) subject.rolloutId = req.rolloutId;
  if (req.releaseId) subject.releaseId = req.releaseId;
  const record = sealRecord({
    id: newId("evd", now),
    kind: "gate-decision",
    source: "control-plane",
    subject,
    collectedAt: new Date(now).toISOString(),
    payload: req.rollback ? { ...decision, note: "rollback: recorded, never blocking" } : decision,
  });
  ctx.db.sqlite
    .prepare(
      `INSERT INTO gate_decisions (id, rollout_id, release_id, phase, batch, decision, decided_at, evidence_id, sha256, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      id,
      req.rolloutId,
      req.releaseId,
      req.phase,
      req.batch,
      allow ? "allow" : "block",
      now,
      record.id,
      record.sha256,
      JSON.stringify(record),
    );
  recordAudit(ctx, {
    action: "gate.decide",
    target: { type: "gate-decision", id },
    after: {
      rolloutId: req.rolloutId,
      releaseId: req.releaseId,
      phase: req.phase,
      batch: req.batch,
      decision: decision.decision,
      allow,
      mode: decision.mode,
      evidenceId: record.id,
      evidenceSha256: record.sha256,
      policySha256: decision.policySha256 ?? canonicalHash(null),
      counts: decision.counts,
      // the blocking reasons name control, host, status and evidence id; the full list is in the evidence
      blocking: decision.reasons.filter((r) => r.blocking).slice(0, 50),
    },
  });
  return { allow, decisionId: id, evidenceId: record.id, decision };
}

/** A stored gate decision's evidence record. */
export function gateEvidence(db: Db, id: string): EvidenceRecord | undefined {
  const row = db.sqlite
    .prepare("SELECT record FROM gate_decisions WHERE id = ? OR evidence_id = ?")
    .get(id, id) as { record: string } | undefined;
  return row ? (JSON.parse(row.record) as EvidenceRecord) : undefined;
}
