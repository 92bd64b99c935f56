/**
 * The human view of a compliance report: NIS2 Art. 21(2) points (a)–(j) with pass/fail counts (or
 * "organisational measure: evidence by document"), hosts, then results grouped by requirement of the primary
 * framework with every non-passing result spelled out, and the gate's verdict last.
 */
import { frameworks } from "../../controls/frameworks/index.js";
import type { Control, FrameworkId } from "../../controls/types.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import {
  addToCounts,
  type ComplianceReport,
  emptyCounts,
  ORGANISATIONAL_KIND,
  type StatusCounts,
} from "./json.js";

const STATUS_LABEL: Record<ControlResult["status"], string> = {
  pass: "PASS",
  fail: "FAIL",
  error: "ERROR",
  "not-applicable": "N/A",
  waived: "WAIVED",
};

/** Non-passing results listed under one requirement before the rest are summarised. */
export const MAX_LINES_PER_REQUIREMENT = 40;

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string | number, n: number) => {
  const t = String(s);
  return t.length >= n ? t : " ".repeat(n - t.length) + t;
};
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function countsCells(c: StatusCounts): string {
  return `${lpad(c.pass, 5)} ${lpad(c.fail, 5)} ${lpad(c.error, 6)} ${lpad(c.waived, 7)} ${lpad(c.notApplicable, 5)}`;
}
const HEADER_CELLS = `${lpad("pass", 5)} ${lpad("fail", 5)} ${lpad("error", 6)} ${lpad("waived", 7)} ${lpad("n/a", 5)}`;

function pointLabel(requirement: string): string {
  const m = /^21\.2\.([a-j])$/.exec(requirement);
  return m ? `(${m[1]})` : `Art. ${requirement}`;
}

/** The table text for a report; `controls` are the selected controls. */
export function renderTable(report: ComplianceReport, controls: readonly Control[]): string {
  const out: string[] = [];
  const p = report.profile;
  const profileText = [
    p.frameworks.length > 0 ? `frameworks ${p.frameworks.join(", ")}` : "all frameworks",
    p.level ? `BP-028 level ${p.level}` : undefined,
    p.entity ? `NIS2 ${p.entity} entity` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  out.push(
    `NixFleet compliance-check: ${report.inputs.hosts.length} host(s) from ${report.inputs.source}, ${controls.length} controls (${profileText})`,
  );
  out.push("");

  const width = 64;
  out.push(`${pad("NIS2 Art. 21(2) / 23", width)} ${HEADER_CELLS}`);
  for (const n of report.summary.nis2) {
    const label = clip(`${pointLabel(n.requirement)} ${n.title}`, width);
    if (n.controls.length === 0) {
      out.push(`${pad(label, width)} ${ORGANISATIONAL_KIND}`);
    } else {
      out.push(`${pad(label, width)} ${countsCells(n.counts)}`);
    }
    if (n.evidenceByDocument !== undefined)
      out.push(
        `    ${n.controls.length > 0 ? `also ${ORGANISATIONAL_KIND}` : "document"}: ${n.evidenceByDocument}`,
      );
  }
  out.push("");

  out.push(`${pad("Host", 32)} ${HEADER_CELLS}  verdict`);
  for (const h of report.summary.hosts)
    out.push(`${pad(clip(h.host, 32), 32)} ${countsCells(h.counts)}  ${h.decision}`);
  out.push("");

  // Group by the primary framework's requirements so each result appears once per requirement it evidences.
  const primary: FrameworkId = (p.frameworks[0] as FrameworkId | undefined) ?? "nis2";
  out.push(`Results by ${frameworks[primary].title} requirement`);
  const byRequirement = new Map<string, ControlResult[]>();
  for (const r of report.results)
    for (const m of r.mappings)
      if (m.framework === primary) {
        const list = byRequirement.get(m.requirement) ?? [];
        list.push(r);
        byRequirement.set(m.requirement, list);
      }
  for (const req of frameworks[primary].requirements) {
    const list = byRequirement.get(req.id);
    if (!list) continue;
    const counts = emptyCounts();
    for (const r of list) addToCounts(counts, r.status);
    out.push(
      `${req.id} ${clip(req.title, 70)}: ${counts.pass} pass, ${counts.fail} fail, ${counts.error} error, ${counts.waived} waived, ${counts.notApplicable} n/a`,
    );
    let shown = 0;
    let hidden = 0;
    for (const r of list) {
      if (r.status === "pass" || r.status === "not-applicable") continue;
      // A fleet-wide table stays readable: the JSON report lists every result.
      if (shown >= MAX_LINES_PER_REQUIREMENT) {
        hidden++;
        continue;
      }
      shown++;
      const detail =
        r.status === "waived" && r.waiver
          ? `waived by ${r.waiver.id} until ${r.waiver.expiresAt}`
          : `${r.message} (observed ${clip(show(r.observed), 60)}, expected ${clip(show(r.expected), 60)})`;
      out.push(
        `  ${pad(STATUS_LABEL[r.status], 6)} ${pad(r.severity, 8)} ${pad(r.host, 16)} ${pad(r.controlId, 28)} ${detail}`,
      );
    }
    if (hidden > 0) out.push(`  … and ${hidden} more (--format json lists every result)`);
  }
  out.push("");

  const d = report.decision;
  const c = d.counts;
  out.push(
    `Verdict: ${d.decision.toUpperCase()} (mode ${d.mode}) — ${c.required} required control results: ${c.pass} pass, ` +
      `${c.notApplicable} n/a, ${c.fail} fail, ${c.error} error, ${c.missing} missing, ${c.stale} stale, ${c.waived} waived` +
      (c.advisoryFailed > 0 ? `; ${c.advisoryFailed} advisory failed` : ""),
  );
  const failing = d.reasons.filter((r) => r.blocking);
  if (failing.length > 0) {
    const shown = failing.slice(0, 20);
    for (const r of shown) out.push(`  ${pad(r.why, 16)} ${pad(r.host, 16)} ${r.controlId}`);
    if (failing.length > shown.length) out.push(`  … and ${failing.length - shown.length} more`);
  }
  return `${out.join("\n")}\n`;
}
