/**
 * The compliance report (schemas/compliance-report.schema.json): the CLI's JSON output and the input every
 * other exporter renders. Pure: the caller supplies the time, results, evidence and gate decision.
 */
import { frameworks } from "../../controls/frameworks/index.js";
import type { AnssiLevel, Control, FrameworkId } from "../../controls/types.js";
import type { ComplianceReport, StatusCounts } from "../../schemas/generated/compliance-report.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { EvidenceRecord } from "../../schemas/generated/evidence-record.js";
import type { GateDecision } from "../../schemas/generated/gate-decision.js";

export type { ComplianceReport, StatusCounts };

export interface ComplianceRun {
  generatorVersion: string;
  generatedAt: string;
  inputs: ComplianceReport["inputs"];
  profile: {
    frameworks: readonly FrameworkId[];
    level?: AnssiLevel | undefined;
    entity?: "essential" | "important" | undefined;
  };
  /** The controls that were selected for the run (rules of SARIF, coverage of the NIS2 summary). */
  controls: readonly Control[];
  results: readonly ControlResult[];
  evidence?: readonly EvidenceRecord[] | undefined;
  decision: GateDecision;
}

export const ORGANISATIONAL_KIND = "organisational measure: evidence by document" as const;

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, error: 0, notApplicable: 0, waived: 0, total: 0 };
}

export function addToCounts(counts: StatusCounts, status: ControlResult["status"]): void {
  counts.total++;
  if (status === "not-applicable") counts.notApplicable++;
  else counts[status]++;
}

/** Builds the report document; results keep their input order (host, then catalog order). */
export function buildComplianceReport(run: ComplianceRun): ComplianceReport {
  const totals = emptyCounts();
  const perHost = new Map<string, StatusCounts>();
  for (const host of run.inputs.hosts) perHost.set(host, emptyCounts());
  const perRequirement = new Map<string, StatusCounts>();
  for (const r of run.results) {
    addToCounts(totals, r.status);
    let hostCounts = perHost.get(r.host);
    if (!hostCounts) {
      hostCounts = emptyCounts();
      perHost.set(r.host, hostCounts);
    }
    addToCounts(hostCounts, r.status);
    for (const m of r.mappings) {
      if (m.framework !== "nis2") continue;
      let c = perRequirement.get(m.requirement);
      if (!c) {
        c = emptyCounts();
        perRequirement.set(m.requirement, c);
      }
      addToCounts(c, r.status);
    }
  }
  const hostDecision = new Map(run.decision.targets.map((t) => [t.host, t.decision]));

  const nis2 = frameworks.nis2.requirements.map((req) => {
    const controls = run.controls
      .filter((c) => c.mappings.some((m) => m.framework === "nis2" && m.requirement === req.id))
      .map((c) => c.id);
    const organisational = req.organisational === true;
    const entry: ComplianceReport["summary"]["nis2"][number] = {
      requirement: req.id,
      title: req.title,
      counts: perRequirement.get(req.id) ?? emptyCounts(),
      controls,
      organisational,
    };
    // A point with no technical control selected is a document-evidenced point too: the gap stays visible.
    if (organisational || controls.length === 0)
      entry.evidenceByDocument = req.evidenceByDocument ?? "documented procedure";
    return entry;
  });

  const organisationalMeasures: ComplianceReport["organisationalMeasures"] = nis2
    .filter((n) => n.evidenceByDocument !== undefined)
    .map((n) => ({
      framework: "nis2",
      requirement: n.requirement,
      title: n.title,
      kind: ORGANISATIONAL_KIND,
      evidenceByDocument: n.evidenceByDocument!,
      technicalControls: n.controls,
    }));

  const report: ComplianceReport = {
    generator: { name: "nixfleet", version: run.generatorVersion },
    generatedAt: run.generatedAt,
    inputs: run.inputs,
    profile: { frameworks: [...run.profile.frameworks], controls: run.controls.length },
    summary: {
      totals,
      hosts: [...perHost].map(([host, counts]) => ({
        host,
        counts,
        decision: hostDecision.get(host) ?? "allow",
      })),
      nis2,
    },
    results: [...run.results],
    organisationalMeasures,
    decision: run.decision,
    exitCode: run.decision.decision === "block" ? 1 : 0,
  };
  if (run.profile.level) report.profile.level = run.profile.level;
  if (run.profile.entity) report.profile.entity = run.profile.entity;
  if (run.evidence) report.evidence = [...run.evidence];
  return report;
}

/** The JSON text of a report (two-space indentation, trailing newline). */
export function renderJson(report: ComplianceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
