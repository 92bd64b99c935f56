/**
 * The NIS2 Article 21 report as a pure view model (schemas/nis2-report.schema.json). Same inputs, same bytes:
 * every list is sorted, every time is an argument, nothing reads a clock or the file system. The PDF renderer
 * (./pdf.ts) draws this document and nothing else, and the document itself is the report's JSON twin.
 *
 * Evidence rules (also printed in the report's "basis and method"):
 * - per host, control and source (eval, runtime) the latest result collected at or before `until` counts;
 * - a result older than its freshness window at `until` is stale and counts as missing, never as pass;
 * - a host/control with no usable result where the control applies to the host's platform is missing;
 * - eval and runtime combine to the worse of the two (fail > error > missing > waived > pass > n/a).
 */

import { frameworks } from "../../controls/frameworks/index.js";
import { selectControls } from "../../controls/index.js";
import type { AnssiLevel, Control, FrameworkId } from "../../controls/types.js";
import { buildNis2Mapping, NIS2_POINTS, type Nis2Point, pointOf } from "../../evidence/nis2-mapping.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type {
  Nis2Counts,
  Nis2Coverage,
  Nis2EvidenceIndexEntry,
  Nis2EvidenceRef,
  Nis2Finding,
  Nis2PointControl,
  Nis2PointSection,
  Nis2ReportModel,
  Nis2Rollout,
  Nis2ScopeHost,
  Nis2Status,
  Nis2Waiver,
} from "../../schemas/generated/nis2-report.js";
import type { Waiver } from "../../schemas/generated/policy.js";

export type { Nis2ReportModel };

/** A host in scope, as the inventory knows it. */
export interface ReportHost {
  host: string;
  machineId?: string;
  platform?: "nixos" | "darwin";
  tags?: readonly string[];
  nixosVersion?: string | null;
  toplevel?: string | null;
  flakeRevision?: string | null;
  releaseId?: string;
}

/** A control result bound to its evidence record (id, collection time, SHA-256 of the record). */
export interface EvidencedResult extends ControlResult {
  evidenceId: string;
  collectedAt: string;
  evidenceSha256: string;
}

export type ReportRollout = Nis2Rollout;

export interface Nis2ReportInput {
  entity: { name: string; type?: "essential" | "important" };
  period: { since: string; until: string };
  generatedAt: string;
  generatorVersion: string;
  source: { kind: "facts" | "database" | "server"; location: string };
  /** Which controls are assessed: frameworks, BP-028 level, NIS2 entity type (absent: the whole catalog). */
  profile?: { frameworks?: readonly FrameworkId[]; level?: AnssiLevel };
  freshness?: { evalMaxAgeHours: number; runtimeMaxAgeHours: number };
  /** true when hosts are expected to stream runtime evidence (a control plane); facts-only runs are eval-only. */
  runtimeEvidenceRequired?: boolean;
  inventory: readonly ReportHost[];
  /** Results with waivers already applied (status "waived" and a waiver reference). */
  results: readonly EvidencedResult[];
  waivers: readonly Waiver[];
  rollouts: readonly ReportRollout[];
  evidenceBundleSha256?: string | null;
}

export const DEFAULT_FRESHNESS = { evalMaxAgeHours: 720, runtimeMaxAgeHours: 24 } as const;

/** Days to fix an open finding, by severity, counted from the end of the period. */
export const REMEDIATION_DAYS: Readonly<Record<ControlResult["severity"], number>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Effective = "pass" | "fail" | "error" | "not-applicable" | "waived" | "missing";
const EFFECTIVE_RANK: Record<Effective, number> = {
  "not-applicable": 0,
  pass: 1,
  waived: 2,
  missing: 3,
  error: 4,
  fail: 5,
};
const STATUS_RANK: Record<Nis2Status, number> = {
  "not-applicable": 0,
  "documents-only": 0,
  compliant: 1,
  "compliant-with-waivers": 2,
  "insufficient-evidence": 3,
  "non-compliant": 4,
};
const SEVERITY_RANK: Record<ControlResult["severity"], number> = { critical: 0, high: 1, medium: 2, low: 3 };
const RESULT_RANK: Record<ControlResult["status"], number> = {
  pass: 0,
  "not-applicable": 1,
  waived: 2,
  error: 3,
  fail: 4,
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const iso = (t: string | number): string => new Date(t).toISOString();

function emptyCounts(): Nis2Counts {
  return { pass: 0, fail: 0, error: 0, notApplicable: 0, waived: 0, stale: 0, missing: 0 };
}

/** Status of a set of (host × control) outcomes. */
function statusOf(counts: {
  fail: number;
  error: number;
  missing: number;
  waived: number;
  inScope: number;
}): Nis2Status {
  if (counts.inScope === 0) return "not-applicable";
  if (counts.fail > 0) return "non-compliant";
  if (counts.error + counts.missing > 0) return "insufficient-evidence";
  if (counts.waived > 0) return "compliant-with-waivers";
  return "compliant";
}

function worstStatus(statuses: readonly Nis2Status[]): Nis2Status {
  let worst: Nis2Status = "not-applicable";
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

/** The latest usable result per host, control and source; later wins, then the worse status, then the id. */
function latestResults(results: readonly EvidencedResult[], untilMs: number): Map<string, EvidencedResult> {
  const latest = new Map<string, EvidencedResult>();
  for (const r of results) {
    const at = Date.parse(r.collectedAt);
    if (Number.isNaN(at) || at > untilMs) continue;
    const key = `${r.host}\u0000${r.controlId}\u0000${r.source}`;
    const known = latest.get(key);
    if (!known) {
      latest.set(key, r);
      continue;
    }
    const kt = Date.parse(known.collectedAt);
    if (
      at > kt ||
      (at === kt &&
        (RESULT_RANK[r.status] > RESULT_RANK[known.status] ||
          (RESULT_RANK[r.status] === RESULT_RANK[known.status] && r.evidenceId > known.evidenceId)))
    )
      latest.set(key, r);
  }
  return latest;
}

function waiverScope(w: Waiver): string {
  const hosts = w.hosts ?? [];
  const tags = w.tags ?? [];
  if (hosts.length === 0 && tags.length === 0) return "all hosts";
  return [...hosts.map((h) => `host ${h}`), ...tags.map((t) => `tag ${t}`)].join(", ");
}

/** A waiver's standing at the end of the period (the governance engine applies the same rules to the gate). */
function waiverStanding(w: Waiver, untilMs: number): Nis2Waiver["state"] {
  if (w.rationale.trim() === "" || w.approvedBy.trim() === w.requestedBy.trim()) return "invalid";
  const expires = Date.parse(w.expiresAt);
  if (Number.isNaN(expires)) return "invalid";
  return untilMs >= expires ? "expired" : "valid";
}

interface Cell {
  effective: Effective;
  refs: Nis2EvidenceRef[];
  /** the results behind a fail or error, for findings */
  failing: EvidencedResult[];
}

/** Builds the report view model. Deterministic: sorted lists, times from the input only. */
export function buildNis2Report(input: Nis2ReportInput): Nis2ReportModel {
  const untilMs = Date.parse(input.period.until);
  const sinceMs = Date.parse(input.period.since);
  if (Number.isNaN(untilMs) || Number.isNaN(sinceMs))
    throw new RangeError("the period needs ISO 8601 since/until");
  if (sinceMs > untilMs) throw new RangeError("the period's since is after its until");
  const freshness = input.freshness ?? DEFAULT_FRESHNESS;
  const windowMs = {
    eval: freshness.evalMaxAgeHours * HOUR_MS,
    runtime: freshness.runtimeMaxAgeHours * HOUR_MS,
  };
  const profile = input.profile ?? {};
  const controls = selectControls({
    ...(profile.frameworks && profile.frameworks.length > 0 ? { frameworks: profile.frameworks } : {}),
    ...(profile.level ? { level: profile.level } : {}),
    ...(input.entity.type ? { entity: input.entity.type } : {}),
  });
  const controlIds = new Set(controls.map((c) => c.id));

  // Inventory: every host named by the inventory or by a result, sorted.
  const inventory = new Map<string, ReportHost>();
  for (const h of input.inventory) inventory.set(h.host, h);
  for (const r of input.results) if (!inventory.has(r.host)) inventory.set(r.host, { host: r.host });
  const hosts = [...inventory.keys()].sort(cmp);

  const latest = latestResults(
    input.results.filter((r) => controlIds.has(r.controlId)),
    untilMs,
  );
  const platformOf = (host: string): "nixos" | "darwin" | "unknown" => {
    const known = inventory.get(host)?.platform;
    if (known) return known;
    // A result marked not-applicable for a platform still tells us nothing; infer from any applicable result.
    return "unknown";
  };

  // One cell per (control, host): the evidence refs and the effective status.
  const cells = new Map<string, Map<string, Cell>>(); // controlId → host → cell
  let evalResults = 0;
  let runtimeResults = 0;
  for (const control of controls) {
    const perHost = new Map<string, Cell>();
    for (const host of hosts) {
      const refs: Nis2EvidenceRef[] = [];
      const failing: EvidencedResult[] = [];
      let effective: Effective | undefined;
      const merge = (e: Effective) => {
        effective = effective === undefined || EFFECTIVE_RANK[e] > EFFECTIVE_RANK[effective] ? e : effective;
      };
      for (const source of ["eval", "runtime"] as const) {
        const r = latest.get(`${host}\u0000${control.id}\u0000${source}`);
        if (!r) {
          if (source === "runtime" && control.runtime && input.runtimeEvidenceRequired) {
            const platform = platformOf(host);
            if (platform === "unknown" || control.platforms.includes(platform)) merge("missing");
          }
          continue;
        }
        if (source === "eval") evalResults++;
        else runtimeResults++;
        const stale = untilMs - Date.parse(r.collectedAt) > windowMs[source];
        refs.push({
          evidenceId: r.evidenceId,
          host,
          source,
          status: stale ? "stale" : r.status,
          collectedAt: iso(r.collectedAt),
          sha256: r.evidenceSha256,
        });
        if (stale) merge("missing");
        else merge(r.status);
        if (!stale && (r.status === "fail" || r.status === "error")) failing.push(r);
      }
      if (effective === undefined) {
        const platform = platformOf(host);
        effective =
          platform === "unknown" || control.platforms.includes(platform) ? "missing" : "not-applicable";
      }
      perHost.set(host, { effective, refs, failing });
    }
    cells.set(control.id, perHost);
  }

  const summaries = new Map<string, ReturnType<typeof summarise>>();
  // Every caller summarises over all hosts; memoised because points, logging controls and totals all ask.
  const controlSummary = (control: Control, inHosts: readonly string[]) => {
    let s = summaries.get(control.id);
    if (!s) {
      s = summarise(control, inHosts);
      summaries.set(control.id, s);
    }
    return s;
  };
  function summarise(control: Control, inHosts: readonly string[]) {
    const counts = emptyCounts();
    const perHost = cells.get(control.id)!;
    let inScope = 0;
    let passing = 0;
    const evidence: Nis2EvidenceRef[] = [];
    for (const host of inHosts) {
      const cell = perHost.get(host)!;
      for (const ref of cell.refs) {
        evidence.push(ref);
        if (ref.status === "stale") counts.stale++;
      }
      switch (cell.effective) {
        case "not-applicable":
          counts.notApplicable++;
          break;
        case "missing":
          counts.missing++;
          break;
        default:
          counts[cell.effective]++;
      }
      if (cell.effective !== "not-applicable") inScope++;
      if (cell.effective === "pass" || cell.effective === "waived") passing++;
    }
    const status = statusOf({
      fail: counts.fail,
      error: counts.error,
      missing: counts.missing,
      waived: counts.waived,
      inScope,
    });
    return { counts, status, coverage: { hostsPassing: passing, hostsInScope: inScope }, evidence };
  }

  // Sections (a)–(j).
  const nis2Reqs = frameworks.nis2.requirements;
  const pointControls = (requirement: string) =>
    controls.filter((c) => c.mappings.some((m) => m.framework === "nis2" && m.requirement === requirement));
  const waiverViews = input.waivers
    .map(
      (w): Nis2Waiver => ({
        id: w.id,
        controlId: w.controlId,
        scope: waiverScope(w),
        rationale: w.rationale,
        requestedBy: w.requestedBy,
        approver: w.approvedBy,
        expiresAt: w.expiresAt,
        state: waiverStanding(w, untilMs),
      }),
    )
    .sort((a, b) => cmp(a.controlId, b.controlId) || cmp(a.id, b.id));

  const hostCoverage = (list: readonly Control[]): Nis2Coverage => {
    let inScope = 0;
    let passing = 0;
    for (const host of hosts) {
      let applicable = false;
      let ok = true;
      for (const c of list) {
        const e = cells.get(c.id)!.get(host)!.effective;
        if (e === "not-applicable") continue;
        applicable = true;
        if (e !== "pass" && e !== "waived") ok = false;
      }
      if (applicable) {
        inScope++;
        if (ok) passing++;
      }
    }
    return { hostsPassing: passing, hostsInScope: inScope };
  };

  const points: Nis2PointSection[] = NIS2_POINTS.map((p) => {
    const requirement = `21.2.${p}`;
    const req = nis2Reqs.find((r) => r.id === requirement)!;
    const list = pointControls(requirement);
    const controlViews: Nis2PointControl[] = list.map((c) => {
      const s = controlSummary(c, hosts);
      return {
        controlId: c.id,
        title: c.title,
        severity: c.severity,
        level: c.level,
        checks: c.runtime ? ["eval", "runtime"] : ["eval"],
        status: s.status,
        coverage: s.coverage,
        counts: s.counts,
        evidence: s.evidence,
      };
    });
    const needsDocuments = req.organisational === true || list.length === 0;
    return {
      point: p,
      requirement,
      title: req.title,
      status: list.length === 0 ? "documents-only" : worstStatus(controlViews.map((c) => c.status)),
      coverage: hostCoverage(list),
      controls: controlViews,
      waivers: waiverViews.filter((w) => list.some((c) => c.id === w.controlId)),
      organisationalMeasure: needsDocuments
        ? {
            evidenceByDocument: req.evidenceByDocument ?? "documented procedure",
            status: "document-required",
          }
        : null,
    };
  });

  // Findings: one per control and kind, hosts listed; the most severe first.
  const findings: Nis2Finding[] = [];
  const findingDrafts: Omit<Nis2Finding, "id">[] = [];
  for (const control of controls) {
    const perHost = cells.get(control.id)!;
    const byKind: Record<
      Nis2Finding["kind"],
      { hosts: string[]; evidence: string[]; results: EvidencedResult[] }
    > = {
      fail: { hosts: [], evidence: [], results: [] },
      error: { hosts: [], evidence: [], results: [] },
      missing: { hosts: [], evidence: [], results: [] },
    };
    for (const host of hosts) {
      const cell = perHost.get(host)!;
      if (cell.effective !== "fail" && cell.effective !== "error" && cell.effective !== "missing") continue;
      const bucket = byKind[cell.effective];
      bucket.hosts.push(host);
      const shown =
        cell.effective === "missing" ? cell.refs.filter((r) => r.status === "stale") : cell.failing;
      for (const ref of shown) bucket.evidence.push(ref.evidenceId);
      bucket.results.push(...cell.failing.filter((r) => r.status === cell.effective));
    }
    const pts = control.mappings
      .filter((m) => m.framework === "nis2")
      .map((m) => pointOf(m.requirement))
      .filter((x): x is Nis2Point => x !== undefined)
      .sort(cmp);
    for (const kind of ["fail", "error", "missing"] as const) {
      const bucket = byKind[kind];
      if (bucket.hosts.length === 0) continue;
      const first = bucket.results[0];
      const more = bucket.hosts.length > 1 ? ` (${bucket.hosts.length} hosts)` : "";
      const message =
        kind === "missing"
          ? `no fresh ${input.runtimeEvidenceRequired && control.runtime ? "eval or runtime " : ""}evidence at ${iso(untilMs)}${more}`
          : `${first?.message ?? control.title}${more}`;
      findingDrafts.push({
        controlId: control.id,
        title: control.title,
        severity: control.severity,
        kind,
        hosts: bucket.hosts,
        points: [...new Set(pts)],
        message,
        evidence: [...new Set(bucket.evidence)].sort(cmp),
      });
    }
  }
  const KIND_RANK = { fail: 0, error: 1, missing: 2 } as const;
  findingDrafts.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      b.hosts.length - a.hosts.length ||
      cmp(a.controlId, b.controlId),
  );
  for (const [i, f] of findingDrafts.entries())
    findings.push({ id: `F-${String(i + 1).padStart(3, "0")}`, ...f });

  const remediationPlan: Nis2ReportModel["remediationPlan"] = findings.map((f, i) => {
    const control = controls.find((c) => c.id === f.controlId)!;
    const action =
      f.kind === "fail"
        ? control.remediation
        : f.kind === "error"
          ? `Make the check runnable (${f.message}); then re-evaluate.`
          : "Restore evidence collection (release evaluation, agent runtime reports) so that fresh evidence exists.";
    return {
      priority: i + 1,
      findingId: f.id,
      controlId: f.controlId,
      severity: f.severity,
      hosts: f.hosts.length,
      action,
      dueBy: iso(untilMs + REMEDIATION_DAYS[f.severity] * DAY_MS),
    };
  });

  // Scope table.
  const scopeHosts: Nis2ScopeHost[] = hosts.map((host) => {
    const h = inventory.get(host)!;
    let worst: Effective | undefined;
    for (const c of controls) {
      const e = cells.get(c.id)!.get(host)!.effective;
      if (worst === undefined || EFFECTIVE_RANK[e] > EFFECTIVE_RANK[worst]) worst = e;
    }
    const status: Nis2ScopeHost["status"] =
      worst === undefined || worst === "not-applicable"
        ? "no-results"
        : worst === "fail"
          ? "fail"
          : worst === "error" || worst === "missing"
            ? "insufficient-evidence"
            : "pass";
    const row: Nis2ScopeHost = {
      host,
      platform: h.platform ?? "unknown",
      tags: [...(h.tags ?? [])].sort(cmp),
      nixosVersion: h.nixosVersion ?? null,
      toplevel: h.toplevel ?? null,
      flakeRevision: h.flakeRevision ?? null,
      status,
    };
    if (h.machineId) row.machineId = h.machineId;
    if (h.releaseId) row.releaseId = h.releaseId;
    return row;
  });

  // Incident-reporting readiness (Art. 23).
  const loggingControls = controls
    .filter((c) =>
      c.mappings.some(
        (m) => m.framework === "nis2" && (m.requirement === "23" || m.requirement === "21.2.b"),
      ),
    )
    .map((c) => {
      const s = controlSummary(c, hosts);
      return { controlId: c.id, title: c.title, status: s.status, coverage: s.coverage };
    });
  const rollouts = input.rollouts
    .filter((r) => {
      const t = Date.parse(r.createdAt);
      return t >= sinceMs && t <= untilMs;
    })
    .map((r) => ({
      ...r,
      createdAt: iso(r.createdAt),
      ...(r.finishedAt ? { finishedAt: iso(r.finishedAt) } : {}),
    }))
    .sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));

  // Evidence index: every result the conclusions rest on.
  const evidenceIndex: Nis2EvidenceIndexEntry[] = [];
  for (const host of hosts)
    for (const c of controls)
      for (const ref of cells.get(c.id)!.get(host)!.refs)
        evidenceIndex.push({
          evidenceId: ref.evidenceId,
          host,
          controlId: c.id,
          source: ref.source,
          status: ref.status,
          collectedAt: ref.collectedAt,
          sha256: ref.sha256,
        });

  const mappingDoc = buildNis2Mapping(input.generatorVersion, controls);
  const mapping: Nis2ReportModel["annexes"]["mapping"] = mappingDoc.points.map((p) => ({
    point: p.point,
    requirement: p.requirement,
    title: p.title,
    controls: p.controls.map((c) => c.id),
    iso27001: p.requirements.iso27001.map((r) => r.id),
    anssiBp028: p.requirements["anssi-bp028"].map((r) => r.id),
    dora: p.requirements.dora.map((r) => r.id),
  }));
  const art23 = pointControls("23");
  const otherIds = (fw: FrameworkId) =>
    [
      ...new Set(
        art23.flatMap((c) => c.mappings.filter((m) => m.framework === fw).map((m) => m.requirement)),
      ),
    ].sort((a, b) => {
      const order = frameworks[fw].requirements;
      return order.findIndex((r) => r.id === a) - order.findIndex((r) => r.id === b);
    });
  mapping.push({
    point: "Art. 23",
    requirement: "23",
    title: nis2Reqs.find((r) => r.id === "23")?.title ?? "Reporting obligations",
    controls: art23.map((c) => c.id),
    iso27001: otherIds("iso27001"),
    anssiBp028: otherIds("anssi-bp028"),
    dora: otherIds("dora"),
  });

  const totals = emptyCounts();
  for (const c of controls) {
    const s = controlSummary(c, hosts).counts;
    for (const k of Object.keys(totals) as (keyof Nis2Counts)[]) totals[k] += s[k];
  }
  const severityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) severityCounts[f.severity]++;

  const organisationalMeasures = points
    .filter((p) => p.organisationalMeasure !== null)
    .map((p) => ({
      requirement: p.requirement,
      title: p.title,
      evidenceByDocument: p.organisationalMeasure!.evidenceByDocument,
      technicalControls: p.controls.map((c) => c.controlId),
      status: "document-required" as const,
    }));

  const frameworkIds: FrameworkId[] =
    profile.frameworks && profile.frameworks.length > 0
      ? [...profile.frameworks].sort(cmp)
      : (Object.keys(frameworks) as FrameworkId[]).sort(cmp);

  const model: Nis2ReportModel = {
    reportVersion: 1,
    identification: {
      entity: input.entity.type
        ? { name: input.entity.name, type: input.entity.type }
        : { name: input.entity.name },
      period: { since: iso(sinceMs), until: iso(untilMs) },
      generatedAt: iso(input.generatedAt),
      generator: { name: "nixfleet", version: input.generatorVersion },
      evidenceBundleSha256: input.evidenceBundleSha256 ?? null,
      source: { kind: input.source.kind, location: input.source.location },
    },
    summary: {
      overall: worstStatus(points.map((p) => p.status)),
      hostsInScope: hosts.length,
      controlsAssessed: controls.length,
      results: totals,
      findings: severityCounts,
      points: points.map((p) => ({
        point: p.point,
        requirement: p.requirement,
        title: p.title,
        status: p.status,
        coverage: p.coverage,
        controls: p.controls.length,
        documentsRequired: p.organisationalMeasure !== null,
      })),
    },
    scope: { hosts: scopeHosts },
    method: {
      frameworks: frameworkIds.map((id) => ({
        id,
        title: frameworks[id].title,
        requirements: frameworks[id].requirements.length,
      })),
      ...(profile.level ? { anssiLevel: profile.level } : {}),
      checks: {
        controls: controls.length,
        evalChecks: controls.length,
        runtimeChecks: controls.filter((c) => c.runtime).length,
        evalResults,
        runtimeResults,
      },
      freshness: { ...freshness, referenceTime: iso(untilMs) },
      rules: [
        "Eval-time checks run on the evaluated NixOS configuration (facts) of each host; runtime checks run on what the agent observed on the running machine.",
        "Per host, control and source the latest result collected at or before the end of the period counts.",
        `Evidence older than its freshness window at the end of the period (eval ${freshness.evalMaxAgeHours} h, runtime ${freshness.runtimeMaxAgeHours} h) is stale and counts as missing, never as pass.`,
        input.runtimeEvidenceRequired
          ? "Runtime evidence is required for every control with a runtime check: a host without it is missing evidence."
          : "Runtime evidence is counted where present; this run did not require it (eval-time assessment).",
        "Eval and runtime combine to the worse of the two: fail, then error, then missing, then waived, then pass.",
        "A failing control counts as waived only under a valid waiver (rationale, approver other than the requester, not expired).",
        "A point is compliant when every host in scope passes all its technical controls; its organisational measure still needs documents.",
      ],
    },
    points,
    organisationalMeasures,
    findings,
    remediationPlan,
    incidentReadiness: {
      deadlines: [
        {
          stage: "Early warning (Art. 23(4)(a))",
          within: "24 hours",
          content: "Suspected unlawful or malicious cause; possible cross-border impact.",
        },
        {
          stage: "Incident notification (Art. 23(4)(b))",
          within: "72 hours",
          content: "Initial assessment: severity, impact and indicators of compromise.",
        },
        {
          stage: "Intermediate report (Art. 23(4)(c))",
          within: "on request",
          content: "Status updates requested by the CSIRT or competent authority.",
        },
        {
          stage: "Final report (Art. 23(4)(d))",
          within: "1 month",
          content: "Detailed description, root cause, mitigation applied, cross-border impact.",
        },
      ],
      loggingControls,
      rollouts,
      failedRollouts: rollouts.filter(
        (r) => r.status === "failed" || r.status === "aborted" || r.failedHosts > 0,
      ).length,
      rollbacks: rollouts.filter((r) => r.kind === "rollback").length,
    },
    signOff: {
      statement:
        "The signatories confirm that this report reflects the technical evidence listed in its annexes for the period stated, and that the organisational measures marked as requiring documents are evidenced separately.",
      signatories: [
        { role: "Prepared by (information security officer)" },
        { role: "Reviewed by (CISO)" },
        { role: "Approved by the management body (NIS2 Art. 20)" },
      ],
    },
    annexes: { evidenceIndex, mapping },
  };
  return model;
}

/** The JSON twin: the view model as text (two-space indentation, trailing newline). */
export function nis2ReportJson(model: Nis2ReportModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
