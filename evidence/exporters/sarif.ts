/**
 * SARIF 2.1.0 export for code-scanning tools (GitHub, GitLab): one rule per selected control (help text is the
 * remediation, tags carry the framework mappings), one result per control result. Pass and not-applicable are
 * kept as `kind: pass / notApplicable` so the log is a complete record; waived fails carry an accepted
 * suppression with the waiver's rationale. Locations are logical: `host/option.path`.
 */
import type { Control } from "../../controls/types.js";
import type { ControlResult, Severity } from "../../schemas/generated/control-result.js";
import type { ComplianceReport } from "./json.js";
import { optionPathOf } from "./option-path.js";

export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const CONTROL_HELP_BASE = "https://nixfleet.dev/docs/controls#";

type SarifLevel = "none" | "note" | "warning" | "error";

/** Level of a failing control by its severity. */
export function sarifLevel(severity: Severity): SarifLevel {
  return severity === "critical" || severity === "high"
    ? "error"
    : severity === "medium"
      ? "warning"
      : "note";
}

/** GitHub's numeric security severity (0–10) used to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

function ruleName(id: string): string {
  return id.replace(/(^|[-.])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export interface SarifOptions {
  /** The input file or flake the facts came from; becomes the artifact of every result. */
  artifactUri?: string;
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: Record<string, unknown>[];
}

function mappingTags(control: Pick<Control, "mappings">): string[] {
  return control.mappings.map((m) => `${m.framework}/${m.requirement}`);
}

/** The SARIF log for a compliance report; `controls` are the selected controls (the rules). */
export function toSarif(
  report: ComplianceReport,
  controls: readonly Control[],
  options: SarifOptions = {},
): SarifLog {
  const ruleIndex = new Map<string, number>();
  const rules = controls.map((c, i) => {
    ruleIndex.set(c.id, i);
    return {
      id: c.id,
      name: ruleName(c.id),
      shortDescription: { text: c.title },
      fullDescription: { text: `${c.title} (BP-028 level ${c.level}; ${mappingTags(c).join(", ")})` },
      helpUri: `${CONTROL_HELP_BASE}${c.id}`,
      help: {
        text: `Remediation: ${c.remediation}`,
        markdown: `**Remediation:** \`${c.remediation.replace(/`/g, "'")}\``,
      },
      defaultConfiguration: { level: sarifLevel(c.severity) },
      properties: {
        tags: ["security", "compliance", ...mappingTags(c)],
        precision: "very-high",
        "security-severity": SECURITY_SEVERITY[c.severity],
        severity: c.severity,
        anssiLevel: c.level,
        mappings: c.mappings.map((m) => ({ framework: m.framework, requirement: m.requirement })),
      },
    };
  });

  const controlsById = new Map(controls.map((c) => [c.id, c]));
  const artifactUri = options.artifactUri;
  const results = report.results.map((r: ControlResult) => {
    const control = controlsById.get(r.controlId);
    const optionPath = control ? optionPathOf(control) : r.controlId;
    const kind =
      r.status === "pass"
        ? "pass"
        : r.status === "not-applicable"
          ? "notApplicable"
          : r.status === "error"
            ? "review"
            : "fail";
    const level: SarifLevel =
      kind === "fail" ? sarifLevel(r.severity) : kind === "review" ? "warning" : "none";
    const location: Record<string, unknown> = {
      logicalLocations: [
        { name: optionPath, fullyQualifiedName: `${r.host}/${optionPath}`, kind: "member" },
        { name: r.host, kind: "module" },
      ],
    };
    if (artifactUri) location.physicalLocation = { artifactLocation: { uri: artifactUri } };
    const result: Record<string, unknown> = {
      ruleId: r.controlId,
      kind,
      level,
      message: { text: `${r.host}: ${r.message}` },
      locations: [location],
      partialFingerprints: { "nixfleet/host-control": `${r.host}/${r.controlId}` },
      properties: {
        host: r.host,
        status: r.status,
        source: r.source,
        observed: r.observed,
        expected: r.expected,
        ...(r.evidenceId ? { evidenceId: r.evidenceId } : {}),
        ...(r.collectedAt ? { collectedAt: r.collectedAt } : {}),
      },
    };
    const index = ruleIndex.get(r.controlId);
    if (index !== undefined) result.ruleIndex = index;
    if (r.status === "waived" && r.waiver)
      result.suppressions = [
        {
          kind: "external",
          status: "accepted",
          justification: `${r.waiver.id}: ${r.waiver.rationale} (approved by ${r.waiver.approver}, expires ${r.waiver.expiresAt})`,
        },
      ];
    return result;
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "nixfleet",
            fullName: "NixFleet compliance-check",
            version: report.generator.version,
            semanticVersion: report.generator.version,
            informationUri: "https://nixfleet.dev",
            rules,
          },
        },
        automationDetails: { id: `nixfleet/compliance-check/${report.generatedAt}` },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            properties: { decision: report.decision.decision, exitCode: report.exitCode },
          },
        ],
        ...(artifactUri ? { artifacts: [{ location: { uri: artifactUri } }] } : {}),
        results,
      },
    ],
  };
}

export function renderSarif(
  report: ComplianceReport,
  controls: readonly Control[],
  options?: SarifOptions,
): string {
  return `${JSON.stringify(toSarif(report, controls, options), null, 2)}\n`;
}
