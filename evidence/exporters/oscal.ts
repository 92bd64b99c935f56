/**
 * OSCAL assessment-results export (NIST OSCAL 1.1): one result for the run, one observation per control result
 * (method EXAMINE for eval-time facts, TEST for runtime observations; subject = the host as an inventory item;
 * relevant evidence = the evidence record) and one finding per applicable control result (target status
 * satisfied / not-satisfied). Every uuid is derived from content (contentUuid), so the same report always
 * exports to the same bytes. import-ap points at a placeholder: compliance-check has no separate OSCAL
 * assessment plan; the profile (frameworks, level, entity) is recorded in the result's props instead.
 */
import type { Control } from "../../controls/types.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { EvidenceRecord } from "../../schemas/generated/evidence-record.js";
import { canonicalHash } from "../canonical.js";
import type { ComplianceReport } from "./json.js";
import { contentUuid } from "./uuid.js";

export const OSCAL_VERSION = "1.1.2";
export const NIXFLEET_NS = "https://nixfleet.dev/ns/oscal";
export const ASSESSMENT_PLAN_PLACEHOLDER = "urn:nixfleet:assessment-plan:compliance-check";

type Prop = { name: string; value: string; ns?: string; class?: string };

const prop = (name: string, value: string, cls?: string): Prop => ({
  name,
  ns: NIXFLEET_NS,
  // OSCAL strings may not start or end with whitespace, nor be empty.
  value: value.trim() === "" ? "(empty)" : value.trim(),
  ...(cls ? { class: cls } : {}),
});

const show = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value) ?? "null");

/** The OSCAL document as a plain object ({"assessment-results": …}). */
export function toOscal(
  report: ComplianceReport,
  controls: readonly Control[],
): { "assessment-results": Record<string, unknown> } {
  const evidenceById = new Map<string, EvidenceRecord>((report.evidence ?? []).map((e) => [e.id, e]));
  const contentKey = canonicalHash({
    inputs: report.inputs,
    profile: report.profile,
    results: report.results,
  });
  const toolUuid = contentUuid(["tool", "nixfleet"]);
  const hostUuid = new Map(report.inputs.hosts.map((h) => [h, contentUuid(["host", h])]));
  for (const r of report.results)
    if (!hostUuid.has(r.host)) hostUuid.set(r.host, contentUuid(["host", r.host]));

  const observations: Record<string, unknown>[] = [];
  const findings: Record<string, unknown>[] = [];
  for (const r of report.results) {
    const observationUuid = contentUuid([
      "observation",
      r.host,
      r.controlId,
      r.source,
      r.collectedAt ?? report.generatedAt,
      r.evidenceId ?? "",
      r.status,
    ]);
    const observation: Record<string, unknown> = {
      uuid: observationUuid,
      title: `${r.controlId} on ${r.host}`,
      description: r.message || `${r.controlId}: ${r.status}`,
      props: [
        prop("control-id", r.controlId),
        prop("status", r.status),
        prop("observed", show(r.observed)),
        prop("expected", show(r.expected)),
        prop("severity", r.severity),
      ],
      methods: [r.source === "eval" ? "EXAMINE" : "TEST"],
      types: ["control-objective"],
      origins: [{ actors: [{ type: "tool", "actor-uuid": toolUuid }] }],
      subjects: [{ "subject-uuid": hostUuid.get(r.host)!, type: "inventory-item", title: r.host }],
      collected: r.collectedAt ?? report.generatedAt,
    };
    if (r.evidenceId) {
      const record = evidenceById.get(r.evidenceId);
      observation["relevant-evidence"] = [
        {
          href: `urn:nixfleet:evidence:${r.evidenceId}`,
          description: record
            ? `Evidence record ${r.evidenceId}, sha256 ${record.sha256}${record.signature ? `, Ed25519 key ${record.signature.keyId}` : ""}`
            : `Evidence record ${r.evidenceId}`,
        },
      ];
    }
    observations.push(observation);
    if (r.status === "not-applicable") continue;
    findings.push(finding(r, observationUuid));
  }

  const result: Record<string, unknown> = {
    uuid: contentUuid(["result", contentKey]),
    title: `NixFleet compliance-check of ${report.inputs.hosts.length} host(s)`,
    description: `Controls evaluated on ${report.inputs.kind} input ${report.inputs.source}; gate decision: ${report.decision.decision}.`,
    start: report.generatedAt,
    end: report.generatedAt,
    props: [
      prop("decision", report.decision.decision),
      prop("frameworks", report.profile.frameworks.join(" ") || "all"),
      ...(report.profile.level ? [prop("anssi-level", report.profile.level)] : []),
      ...(report.profile.entity ? [prop("nis2-entity", report.profile.entity)] : []),
    ],
    "local-definitions": {
      components: [
        {
          uuid: toolUuid,
          type: "software",
          title: "NixFleet",
          description: `nixfleet ${report.generator.version} compliance-check`,
          status: { state: "operational" },
        },
      ],
      "inventory-items": [...hostUuid].map(([host, uuid]) => ({
        uuid,
        description: `Host ${host}`,
        props: [{ name: "asset-id", value: host }],
      })),
    },
    "reviewed-controls": {
      "control-selections":
        controls.length > 0
          ? [{ "include-controls": controls.map((c) => ({ "control-id": c.id })) }]
          : [{ "include-all": {} }],
    },
    ...(observations.length > 0 ? { observations } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };

  return {
    "assessment-results": {
      uuid: contentUuid(["assessment-results", report.generatedAt, contentKey]),
      metadata: {
        title: "NixFleet compliance assessment results",
        "last-modified": report.generatedAt,
        version: report.generator.version,
        "oscal-version": OSCAL_VERSION,
      },
      "import-ap": { href: ASSESSMENT_PLAN_PLACEHOLDER },
      results: [result],
    },
  };
}

function finding(r: ControlResult, observationUuid: string): Record<string, unknown> {
  const satisfied = r.status === "pass" || r.status === "waived";
  const status: Record<string, unknown> = {
    state: satisfied ? "satisfied" : "not-satisfied",
    reason: r.status === "pass" ? "pass" : r.status === "fail" ? "fail" : "other",
  };
  if (r.status === "waived" && r.waiver)
    status.remarks = `Waived by ${r.waiver.id} (approved by ${r.waiver.approver}, expires ${r.waiver.expiresAt}): ${r.waiver.rationale}`;
  if (r.status === "error") status.remarks = `The check could not run: ${r.message}`;
  return {
    uuid: contentUuid(["finding", observationUuid]),
    title: `${r.title ?? r.controlId} (${r.host})`,
    description: r.message || r.controlId,
    // OSCAL arrays may not be empty.
    ...(r.mappings.length > 0
      ? { props: r.mappings.map((m) => prop("requirement", `${m.framework} ${m.requirement}`, m.framework)) }
      : {}),
    target: {
      type: "objective-id",
      "target-id": r.controlId,
      title: r.title ?? r.controlId,
      status,
    },
    "related-observations": [{ "observation-uuid": observationUuid }],
    ...(r.remediation ? { remarks: `Remediation: ${r.remediation}` } : {}),
  };
}

export function renderOscal(report: ComplianceReport, controls: readonly Control[]): string {
  return `${JSON.stringify(toOscal(report, controls), null, 2)}\n`;
}
