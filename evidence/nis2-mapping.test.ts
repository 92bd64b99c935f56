import { describe, expect, it } from "vitest";
import { frameworks } from "../controls/frameworks/index.js";
import { catalog } from "../controls/index.js";
import { check } from "../schemas/registry.js";
import { buildNis2Mapping, NIS2_POINTS } from "./nis2-mapping.js";

describe("NIS2 mapping document", () => {
  const mapping = buildNis2Mapping("0.1.0");

  it("validates against schemas/nis2-mapping and covers all ten points in order", () => {
    expect(check("nis2-mapping", mapping)).toEqual([]);
    expect(mapping.points.map((p) => p.point)).toEqual([...NIS2_POINTS]);
  });

  it("lists exactly the catalog's controls per point, and requirements that exist in each framework", () => {
    for (const p of mapping.points) {
      const expected = catalog
        .filter((c) => c.mappings.some((m) => m.framework === "nis2" && m.requirement === p.requirement))
        .map((c) => c.id);
      expect(p.controls.map((c) => c.id)).toEqual(expected);
      for (const fw of ["iso27001", "anssi-bp028", "dora"] as const) {
        const known = new Set(frameworks[fw].requirements.map((r) => r.id));
        for (const r of p.requirements[fw]) expect(known.has(r.id), `${p.point} ${fw} ${r.id}`).toBe(true);
      }
      // Every point has an ISO 27001 and a DORA counterpart and a documentary evidence type.
      expect(p.requirements.iso27001.length, p.point).toBeGreaterThan(0);
      expect(p.requirements.dora.length, p.point).toBeGreaterThan(0);
      expect(p.evidenceTypes.some((e) => e.kind === "organisational")).toBe(true);
    }
    const d = mapping.points.find((p) => p.point === "d")!;
    expect(d.evidenceTypes.map((e) => e.kind)).toContain("sbom");
    const i = mapping.points.find((p) => p.point === "i")!;
    expect(i.requirements["anssi-bp028"].some((r) => r.via === "controls")).toBe(true);
  });
});
