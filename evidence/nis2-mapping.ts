/**
 * The machine-readable NIS2 Art. 21(2) mapping (schemas/nis2-mapping.schema.json): for each point (a)–(j) the
 * technical controls of the catalog, the ISO 27001 / BP-028 / DORA requirements those controls share, the
 * documented correspondences of the point's organisational measure, and the evidence types an auditor gets.
 * Pure: derived from controls/ at call time, so it can never drift from the catalog.
 */

import { frameworks } from "../controls/frameworks/index.js";
import { catalog } from "../controls/index.js";
import type { Control, FrameworkId } from "../controls/types.js";
import type { Nis2Mapping, Nis2MappingPoint } from "../schemas/generated/nis2-mapping.js";

export type { Nis2Mapping, Nis2MappingPoint };

export const NIS2_POINTS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] as const;
export type Nis2Point = (typeof NIS2_POINTS)[number];

/** "21.2.c" → "c" (undefined for Art. 23 and anything else). */
export function pointOf(requirement: string): Nis2Point | undefined {
  const m = /^21\.2\.([a-j])$/.exec(requirement);
  return m ? (m[1] as Nis2Point) : undefined;
}

type OtherFramework = "iso27001" | "anssi-bp028" | "dora";
const OTHER_FRAMEWORKS: readonly OtherFramework[] = ["iso27001", "anssi-bp028", "dora"];

/**
 * Correspondences of the organisational side of each point that no machine setting evidences (policies,
 * procedures, registers), after ENISA's NIS2 implementing guidance and the DORA / ISO 27001 structure. BP-028
 * is a hardening guide and has no organisational counterpart, so it only appears through controls.
 */
export const MEASURE_CORRESPONDENCES: Readonly<Record<Nis2Point, Partial<Record<OtherFramework, string[]>>>> =
  {
    a: { iso27001: ["A.5.1", "A.5.2", "A.5.4"], dora: ["Art.5", "Art.6"] },
    b: { iso27001: ["A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28"], dora: ["Art.17", "Art.19"] },
    c: { iso27001: ["A.5.29", "A.5.30", "A.8.13"], dora: ["Art.11", "Art.12"] },
    d: { iso27001: ["A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23"], dora: ["Art.28"] },
    e: { iso27001: ["A.8.8", "A.8.25", "A.8.32"], dora: ["Art.8", "Art.9"] },
    f: { iso27001: ["A.5.35", "A.5.36"], dora: ["Art.24", "Art.25"] },
    // Training itself is ISO A.6.3, outside the catalog's A.5/A.8 list; hygiene maps to acceptable use and malware.
    g: { iso27001: ["A.5.10", "A.8.7"], dora: ["Art.13"] },
    h: { iso27001: ["A.8.24"], dora: ["Art.9"] },
    i: { iso27001: ["A.5.9", "A.5.15", "A.5.18"], dora: ["Art.9"] },
    j: { iso27001: ["A.5.14", "A.8.5"], dora: ["Art.9"] },
  };

/** Requirement order within a framework as listed in controls/frameworks (A.5.2 before A.5.10). */
function requirementOrder(framework: FrameworkId): Map<string, number> {
  return new Map(frameworks[framework].requirements.map((r, i) => [r.id, i]));
}

function requirementTitle(framework: FrameworkId, id: string): string | undefined {
  return frameworks[framework].requirements.find((r) => r.id === id)?.title;
}

function controlsOfPoint(requirement: string, controls: readonly Control[]): Control[] {
  return controls.filter((c) =>
    c.mappings.some((m) => m.framework === "nis2" && m.requirement === requirement),
  );
}

const EVIDENCE_TYPES = {
  evalResult: {
    kind: "control-result",
    source: "eval",
    description: "Control result on the evaluated NixOS configuration (facts), sealed with SHA-256",
  },
  runtimeResult: {
    kind: "control-result",
    source: "runtime",
    description: "Control result on what the agent observed on the running machine, with its collection time",
  },
  runtimeReport: {
    kind: "runtime-report",
    source: "runtime",
    description: "Agent runtime report (sysctl, kernel command line, mounts, sockets, units, generations)",
  },
  gate: {
    kind: "gate-decision",
    source: "control-plane",
    description: "Governance gate decision before each rollout and batch, with reasons and waivers",
  },
  sbom: {
    kind: "sbom",
    source: "cli",
    description: "CycloneDX SBOM of each release closure (nixfleet release sbom)",
  },
  release: {
    kind: "release",
    source: "control-plane",
    description: "Content-addressed release manifest: toplevel store path per host and its eval evidence",
  },
  rolloutEvent: {
    kind: "rollout-event",
    source: "control-plane",
    description: "Rollout and rollback events, health-check outcomes and confirmations",
  },
  healthCheck: {
    kind: "health-check",
    source: "runtime",
    description: "Health-check results of each applied generation",
  },
  audit: {
    kind: "audit-event",
    source: "control-plane",
    description: "Hash-chained audit trail of every change to the control plane",
  },
} as const;

/** Which machine evidence supports a point beyond its control results. */
const EXTRA_EVIDENCE: Readonly<Record<Nis2Point, (keyof typeof EVIDENCE_TYPES)[]>> = {
  a: ["gate"],
  b: ["audit", "rolloutEvent"],
  c: ["release", "rolloutEvent", "healthCheck"],
  d: ["sbom", "release"],
  e: ["release", "gate"],
  f: ["gate", "audit"],
  g: [],
  h: [],
  i: ["audit"],
  j: [],
};

/** One point of the mapping. */
export function mappingPoint(
  requirement: string,
  controls: readonly Control[] = catalog,
): Nis2MappingPoint | undefined {
  const point = pointOf(requirement);
  const req = frameworks.nis2.requirements.find((r) => r.id === requirement);
  if (!point || !req) return undefined;
  const mapped = controlsOfPoint(requirement, controls);
  const requirements = {} as Nis2MappingPoint["requirements"];
  for (const fw of OTHER_FRAMEWORKS) {
    const order = requirementOrder(fw);
    const via = new Map<string, "controls" | "measure">();
    for (const c of mapped)
      for (const m of c.mappings)
        if (m.framework === fw && order.has(m.requirement)) via.set(m.requirement, "controls");
    for (const id of MEASURE_CORRESPONDENCES[point][fw] ?? [])
      if (order.has(id) && !via.has(id)) via.set(id, "measure");
    requirements[fw] = [...via]
      .sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0))
      .map(([id, how]) => ({ id, title: requirementTitle(fw, id) ?? id, via: how }));
  }
  const evidenceTypes: Nis2MappingPoint["evidenceTypes"] = [];
  if (mapped.length > 0) evidenceTypes.push({ ...EVIDENCE_TYPES.evalResult });
  if (mapped.some((c) => c.runtime))
    evidenceTypes.push({ ...EVIDENCE_TYPES.runtimeResult }, { ...EVIDENCE_TYPES.runtimeReport });
  for (const extra of EXTRA_EVIDENCE[point]) evidenceTypes.push({ ...EVIDENCE_TYPES[extra] });
  evidenceTypes.push({
    kind: "organisational",
    source: "document",
    description: req.evidenceByDocument ?? "documented procedure",
  });
  return {
    point,
    requirement,
    title: req.title,
    organisational: req.organisational === true || mapped.length === 0,
    evidenceByDocument: req.evidenceByDocument ?? "documented procedure",
    controls: mapped.map((c) => ({
      id: c.id,
      title: c.title,
      severity: c.severity,
      level: c.level,
      checks: c.runtime ? ["eval", "runtime"] : ["eval"],
      platforms: [...c.platforms],
    })),
    requirements,
    evidenceTypes,
  };
}

/** The whole mapping document, points (a)–(j) in order. */
export function buildNis2Mapping(
  generatorVersion: string,
  controls: readonly Control[] = catalog,
): Nis2Mapping {
  return {
    mappingVersion: 1,
    framework: "nis2",
    generator: { name: "nixfleet", version: generatorVersion, controls: controls.length },
    // The schema fixes ten points, which the generated type spells as a tuple.
    points: NIS2_POINTS.map((p) => mappingPoint(`21.2.${p}`, controls)!) as Nis2Mapping["points"],
  };
}
