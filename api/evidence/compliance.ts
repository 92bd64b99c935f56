/**
 * Latest compliance status per machine and for the fleet. For each control it combines
 * - eval-time evidence of the release the machine is set to run (immutable; tied to that release),
 * - runtime evidence: the machine's latest runtime report evaluated with the catalog's runtime checks
 *   (controls/index.ts `evaluateRuntime`), and the latest control-result items the agent sent.
 * Runtime evidence older than the freshness window counts as missing, never as pass.
 */
import { catalog, evaluateRuntime } from "../../controls/index.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { Facts } from "../../schemas/generated/facts.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";
import type { Db } from "../db/client.js";
import { getMachine } from "../machines/queries.js";

export type EffectiveStatus = ControlResult["status"] | "missing";

export interface ControlCompliance {
  controlId: string;
  title?: string;
  severity?: ControlResult["severity"];
  status: EffectiveStatus;
  eval: { status: ControlResult["status"]; releaseId: string } | null;
  runtime: {
    status: ControlResult["status"];
    collectedAt: string | null;
    fresh: boolean;
    evidenceId: string;
  } | null;
}

export interface MachineCompliance {
  machineId: string;
  hostName: string;
  /** compliant: nothing fails, nothing is missing; non-compliant: something fails; unknown: evidence missing or in error */
  status: "compliant" | "non-compliant" | "unknown";
  evaluatedAt: string;
  freshnessMs: number;
  releaseId: string | null;
  lastRuntimeEvidenceAt: string | null;
  counts: Record<EffectiveStatus, number>;
  controls: ControlCompliance[];
}

const RANK: Record<EffectiveStatus, number> = {
  fail: 5,
  error: 4,
  missing: 3,
  waived: 2,
  pass: 1,
  "not-applicable": 0,
};

function worst(a: EffectiveStatus, b: EffectiveStatus): EffectiveStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

interface EvidenceRow {
  id: string;
  collectedAt: number;
  payload: string;
  controlId: string | null;
}

/** Compliance of one machine at `now`. */
export function machineCompliance(
  db: Db,
  machineId: string,
  now: number,
  freshnessMs: number,
): MachineCompliance {
  const machine = getMachine(db, machineId);
  const desired = db.sqlite
    .prepare("SELECT release_id AS releaseId FROM desired_generations WHERE machine_id = ?")
    .get(machineId) as { releaseId: string | null } | undefined;
  const releaseId = desired?.releaseId ?? null;
  let evalResults: ControlResult[] = [];
  let facts: Facts | undefined;
  if (releaseId) {
    const row = db.sqlite.prepare("SELECT manifest FROM releases WHERE id = ?").get(releaseId) as
      | { manifest: string }
      | undefined;
    const entry = row ? (JSON.parse(row.manifest) as ReleaseManifest).hosts[machine.hostName] : undefined;
    evalResults = entry?.evalEvidence ?? [];
    facts = entry?.facts;
  }
  const latestReport = db.sqlite
    .prepare(
      `SELECT id, collected_at AS collectedAt, payload, control_id AS controlId FROM evidence_items
       WHERE machine_id = ? AND kind = 'runtime-report' ORDER BY collected_at DESC, seq DESC LIMIT 1`,
    )
    .get(machineId) as EvidenceRow | undefined;
  const agentResults = db.sqlite
    .prepare(
      `SELECT e.id, e.collected_at AS collectedAt, e.payload, e.control_id AS controlId FROM evidence_items e
       WHERE e.machine_id = ? AND e.kind = 'control-result' AND e.seq = (
         SELECT max(x.seq) FROM evidence_items x WHERE x.machine_id = e.machine_id AND x.kind = 'control-result' AND x.control_id = e.control_id)`,
    )
    .all(machineId) as EvidenceRow[];

  const runtime = new Map<string, { result: ControlResult; collectedAt: number; evidenceId: string }>();
  if (latestReport) {
    const report = JSON.parse(latestReport.payload) as RuntimeReport;
    for (const result of evaluateRuntime(report, catalog, facts))
      runtime.set(result.controlId, {
        result,
        collectedAt: latestReport.collectedAt,
        evidenceId: latestReport.id,
      });
  }
  for (const row of agentResults) {
    const result = JSON.parse(row.payload) as ControlResult;
    const known = runtime.get(result.controlId);
    if (!known || known.collectedAt < row.collectedAt)
      runtime.set(result.controlId, { result, collectedAt: row.collectedAt, evidenceId: row.id });
  }
  const evalById = new Map(evalResults.map((r) => [r.controlId, r]));
  const hasRuntimeCheck = new Set(catalog.filter((c) => c.runtime).map((c) => c.id));
  const ids = [
    ...new Set([...evalById.keys(), ...runtime.keys(), ...(latestReport ? [] : [...hasRuntimeCheck])]),
  ].sort();

  const counts: Record<EffectiveStatus, number> = {
    pass: 0,
    fail: 0,
    error: 0,
    "not-applicable": 0,
    waived: 0,
    missing: 0,
  };
  const controls: ControlCompliance[] = ids.map((controlId) => {
    const e = evalById.get(controlId);
    const r = runtime.get(controlId);
    const fresh = r ? now - r.collectedAt <= freshnessMs : false;
    let status: EffectiveStatus = e ? e.status : "not-applicable";
    if (r) status = worst(status, fresh ? r.result.status : "missing");
    else if (hasRuntimeCheck.has(controlId)) status = worst(status, "missing");
    counts[status]++;
    const control = catalog.find((c) => c.id === controlId);
    return {
      controlId,
      ...(control ? { title: control.title, severity: control.severity } : {}),
      status,
      eval: e && releaseId ? { status: e.status, releaseId } : null,
      runtime: r
        ? {
            status: r.result.status,
            collectedAt: new Date(r.collectedAt).toISOString(),
            fresh,
            evidenceId: r.evidenceId,
          }
        : null,
    };
  });
  const status =
    counts.fail > 0 ? "non-compliant" : counts.missing + counts.error > 0 ? "unknown" : "compliant";
  return {
    machineId,
    hostName: machine.hostName,
    status,
    evaluatedAt: new Date(now).toISOString(),
    freshnessMs,
    releaseId,
    lastRuntimeEvidenceAt: latestReport ? new Date(latestReport.collectedAt).toISOString() : null,
    counts,
    controls,
  };
}

export interface FleetCompliance {
  evaluatedAt: string;
  freshnessMs: number;
  machines: { total: number; compliant: number; nonCompliant: number; unknown: number };
  controls: { controlId: string; counts: Record<EffectiveStatus, number> }[];
  perMachine: {
    machineId: string;
    status: MachineCompliance["status"];
    counts: Record<EffectiveStatus, number>;
  }[];
}

/** Compliance of every machine that is not decommissioned. */
export function fleetCompliance(db: Db, now: number, freshnessMs: number): FleetCompliance {
  const ids = (
    db.sqlite.prepare("SELECT id FROM machines WHERE lifecycle != 'decommissioned' ORDER BY id").all() as {
      id: string;
    }[]
  ).map((r) => r.id);
  const perControl = new Map<string, Record<EffectiveStatus, number>>();
  const machines = { total: ids.length, compliant: 0, nonCompliant: 0, unknown: 0 };
  const perMachine: FleetCompliance["perMachine"] = [];
  for (const id of ids) {
    const m = machineCompliance(db, id, now, freshnessMs);
    if (m.status === "compliant") machines.compliant++;
    else if (m.status === "non-compliant") machines.nonCompliant++;
    else machines.unknown++;
    perMachine.push({ machineId: id, status: m.status, counts: m.counts });
    for (const c of m.controls) {
      let counts = perControl.get(c.controlId);
      if (!counts) {
        counts = { pass: 0, fail: 0, error: 0, "not-applicable": 0, waived: 0, missing: 0 };
        perControl.set(c.controlId, counts);
      }
      counts[c.status]++;
    }
  }
  return {
    evaluatedAt: new Date(now).toISOString(),
    freshnessMs,
    machines,
    controls: [...perControl.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([controlId, counts]) => ({ controlId, counts })),
    perMachine,
  };
}
