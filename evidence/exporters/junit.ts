/**
 * JUnit XML for CI dashboards: one testsuite per host, one testcase per control. fail → <failure>, error →
 * <error>, not-applicable and waived → <skipped> with the reason. Built with xmlbuilder2 so escaping is right.
 */
import { create } from "xmlbuilder2";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { ComplianceReport } from "./json.js";

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function detail(r: ControlResult): string {
  const lines = [
    `host: ${r.host}`,
    `control: ${r.controlId}${r.title ? ` (${r.title})` : ""}`,
    `severity: ${r.severity}`,
    `observed: ${show(r.observed)}`,
    `expected: ${show(r.expected)}`,
    `requirements: ${r.mappings.map((m) => `${m.framework} ${m.requirement}`).join(", ")}`,
  ];
  if (r.remediation) lines.push(`remediation: ${r.remediation}`);
  if (r.evidenceId) lines.push(`evidence: ${r.evidenceId}`);
  return lines.join("\n");
}

/** The JUnit XML document for a report. */
export function renderJunit(report: ComplianceReport): string {
  const byHost = new Map<string, ControlResult[]>();
  for (const r of report.results) {
    const list = byHost.get(r.host) ?? [];
    list.push(r);
    byHost.set(r.host, list);
  }
  const count = (rs: readonly ControlResult[], ...statuses: ControlResult["status"][]) =>
    rs.filter((r) => statuses.includes(r.status)).length;
  const all = report.results;
  const doc = create({ version: "1.0", encoding: "UTF-8" });
  const suites = doc.ele("testsuites", {
    name: "nixfleet compliance-check",
    tests: String(all.length),
    failures: String(count(all, "fail")),
    errors: String(count(all, "error")),
    skipped: String(count(all, "not-applicable", "waived")),
    time: "0",
    timestamp: report.generatedAt,
  });
  let suiteId = 0;
  for (const [host, results] of byHost) {
    const suite = suites.ele("testsuite", {
      id: String(suiteId++),
      name: host,
      hostname: host,
      package: "nixfleet.compliance",
      tests: String(results.length),
      failures: String(count(results, "fail")),
      errors: String(count(results, "error")),
      skipped: String(count(results, "not-applicable", "waived")),
      time: "0",
      timestamp: report.generatedAt,
    });
    const props = suite.ele("properties");
    props.ele("property", {
      name: "nixfleet.decision",
      value: report.decision.targets.find((t) => t.host === host)?.decision ?? "allow",
    });
    props.ele("property", {
      name: "nixfleet.frameworks",
      value: report.profile.frameworks.join(",") || "all",
    });
    for (const r of results) {
      const testcase = suite.ele("testcase", {
        name: `${r.controlId}${r.title ? `: ${r.title}` : ""}`,
        classname: `nixfleet.${host}`,
        time: "0",
      });
      if (r.status === "fail")
        testcase.ele("failure", { message: r.message, type: r.severity }).txt(detail(r));
      else if (r.status === "error")
        testcase.ele("error", { message: r.message, type: "check-error" }).txt(detail(r));
      else if (r.status === "not-applicable")
        testcase.ele("skipped", { message: `not applicable: ${r.message}` });
      else if (r.status === "waived")
        testcase.ele("skipped", {
          message: r.waiver
            ? `waived by ${r.waiver.id} until ${r.waiver.expiresAt}: ${r.waiver.rationale}`
            : `waived: ${r.message}`,
        });
    }
  }
  return `${doc.end({ prettyPrint: true })}\n`;
}
