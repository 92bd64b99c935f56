import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateHost, selectControls } from "../../controls/index.js";
import type { Facts } from "../../controls/types.js";
import { sha256Hex } from "../../evidence/canonical.js";
import { recordFromResult, sealRecord } from "../../evidence/records.js";
import { generateSigningKeys } from "../../evidence/sign.js";
import type { Nis2ReportModel } from "../../schemas/generated/nis2-report.js";
import type { Waiver } from "../../schemas/generated/policy.js";
import { check, validate } from "../../schemas/registry.js";
import { buildNis2Report, type EvidencedResult, type Nis2ReportInput, nis2ReportJson } from "./model.js";
import { renderNis2Pdf } from "./pdf.js";

// The example fleet (facts extracted by nix/facts.nix): web-01 hardened, legacy-01 insecure, db-01 with an open
// database port under a waiver, mac-01 a nix-darwin laptop.
const fleet = JSON.parse(
  readFileSync(new URL("../../examples/fleet/fleet.json", import.meta.url), "utf8"),
) as Record<string, Facts>;

const UNTIL = "2026-11-25T12:00:00.000Z";
const WAIVER: Waiver = {
  id: "wvr-db-01-postgres-port",
  controlId: "firewall-listening-services",
  hosts: ["db-01"],
  rationale:
    "PostgreSQL reachable from the application subnet; filtered upstream by the VLAN ACL (CHG-4711).",
  requestedBy: "dba-team@example.org",
  approvedBy: "ciso@example.org",
  expiresAt: "2027-03-31T00:00:00Z",
};

function fixtureInput(): Nis2ReportInput {
  const controls = selectControls({});
  const { privateKey } = generateSigningKeys();
  const results: EvidencedResult[] = [];
  for (const [host, facts] of Object.entries(fleet)) {
    for (const r of evaluateHost(host, facts, controls)) {
      // legacy-01's facts carry no collection time: collected 40 days before the end, hence stale (720 h).
      const collectedAt = r.collectedAt ?? "2026-10-16T12:00:00.000Z";
      const record = sealRecord(recordFromResult(r, { collectedAt }), privateKey);
      // The governance gate applies waivers before the report (reports/ does not import engine/).
      const waived =
        r.status === "fail" && r.controlId === WAIVER.controlId && WAIVER.hosts!.includes(host)
          ? {
              status: "waived" as const,
              waiver: {
                id: WAIVER.id,
                rationale: WAIVER.rationale,
                approver: WAIVER.approvedBy,
                expiresAt: WAIVER.expiresAt,
              },
            }
          : {};
      results.push({ ...r, ...waived, evidenceId: record.id, collectedAt, evidenceSha256: record.sha256 });
    }
  }
  // legacy-01 was re-evaluated recently: fresh results, so it fails rather than misses.
  const legacy = results.filter((r) => r.host === "legacy-01");
  for (const r of legacy)
    results.push({ ...r, collectedAt: "2026-11-25T11:00:00.000Z", evidenceId: `${r.evidenceId}X` });
  return {
    entity: { name: "Example Energy GmbH", type: "essential" },
    period: { since: "2026-10-26T12:00:00Z", until: UNTIL },
    generatedAt: "2026-11-25T12:30:00Z",
    generatorVersion: "0.1.0-test",
    source: { kind: "facts", location: "examples/fleet/fleet.json" },
    inventory: Object.entries(fleet).map(([host, f]) => ({
      host,
      platform: f.nixfleet.meta.system.endsWith("darwin") ? ("darwin" as const) : ("nixos" as const),
      tags: f.nixfleet.meta.tags ?? [],
      nixosVersion: f.nixfleet.meta.nixosVersion ?? null,
      toplevel: f.nixfleet.meta.toplevel ?? null,
      flakeRevision: f.nixfleet.meta.flakeRevision ?? null,
    })),
    results,
    waivers: [WAIVER],
    rollouts: [
      {
        id: "rol_01JDEMO0000000000000000001",
        kind: "rollout",
        status: "failed",
        releaseId: "rel_01JDEMO0000000000000000001",
        createdAt: "2026-11-20T09:00:00Z",
        finishedAt: "2026-11-20T09:20:00Z",
        targets: 3,
        failedHosts: 1,
        reason: "health check nginx failed on web-01",
      },
      {
        id: "rol_01JDEMO0000000000000000002",
        kind: "rollback",
        status: "succeeded",
        releaseId: null,
        rollbackOf: "rol_01JDEMO0000000000000000001",
        createdAt: "2026-11-20T09:21:00Z",
        targets: 1,
        failedHosts: 0,
      },
      // Outside the period: must not appear.
      {
        id: "rol_01JDEMO0000000000000000003",
        kind: "rollout",
        status: "succeeded",
        releaseId: "rel_01JDEMO0000000000000000000",
        createdAt: "2026-09-01T09:00:00Z",
        targets: 3,
        failedHosts: 0,
      },
    ],
    evidenceBundleSha256: "ab".repeat(32),
  };
}

const POINTS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] as const;

describe("buildNis2Report", () => {
  const input = fixtureInput();
  const model = buildNis2Report(input);

  it("produces a view model that validates against schemas/nis2-report", () => {
    expect(check("nis2-report", model)).toEqual([]);
  });

  it("is byte-identical across builds from the same inputs, whatever their order", () => {
    const again = buildNis2Report(fixtureInput());
    const shuffled = buildNis2Report({
      ...input,
      results: [...input.results].reverse(),
      inventory: [...input.inventory].reverse(),
      rollouts: [...input.rollouts].reverse(),
    });
    // Evidence ids differ between fixture builds (fresh ids); compare the same input, then the shuffled one.
    expect(nis2ReportJson(buildNis2Report(input))).toBe(nis2ReportJson(model));
    expect(nis2ReportJson(shuffled)).toBe(nis2ReportJson(model));
    expect(again.summary).toEqual(model.summary);
  });

  it("has one section per point (a)-(j) with statuses that follow the evidence", () => {
    expect(model.points.map((p) => p.point)).toEqual([...POINTS]);
    const byPoint = Object.fromEntries(model.points.map((p) => [p.point, p]));
    // (a), (f), (g) have no technical control: documents only, never green.
    for (const p of ["a", "f", "g"]) {
      expect(byPoint[p]!.status).toBe("documents-only");
      expect(byPoint[p]!.organisationalMeasure?.status).toBe("document-required");
    }
    // legacy-01 fails SSH root login etc. → (i) non-compliant; 3 of 4 hosts pass every (i) control.
    expect(byPoint.i!.status).toBe("non-compliant");
    expect(byPoint.i!.coverage.hostsPassing).toBeLessThan(byPoint.i!.coverage.hostsInScope);
    const root = byPoint.i!.controls.find((c) => c.controlId === "ssh-no-root-login")!;
    expect(root.counts.fail).toBe(1);
    expect(root.evidence.some((e) => e.host === "legacy-01" && e.status === "fail")).toBe(true);
    // The waiver shows in the point of its control, with rationale, approver and expiry.
    const e = byPoint.e!;
    expect(e.waivers).toEqual([
      expect.objectContaining({
        id: WAIVER.id,
        approver: "ciso@example.org",
        state: "valid",
        scope: "host db-01",
      }),
    ]);
    const fls = e.controls.find((c) => c.controlId === "firewall-listening-services")!;
    expect(fls.counts.waived).toBe(1);
  });

  it("counts stale evidence as missing, never as pass", () => {
    const stale = buildNis2Report({
      ...input,
      results: input.results.filter(
        (r) => !(r.host === "legacy-01" && r.collectedAt.startsWith("2026-11-25")),
      ),
    });
    const legacy = stale.scope.hosts.find((h) => h.host === "legacy-01")!;
    expect(legacy.status).toBe("insufficient-evidence");
    expect(stale.summary.results.stale).toBeGreaterThan(0);
    expect(stale.findings.some((f) => f.kind === "missing" && f.hosts.includes("legacy-01"))).toBe(true);
    const idx = stale.annexes.evidenceIndex.filter((x) => x.host === "legacy-01");
    expect(idx.every((x) => x.status === "stale")).toBe(true);
  });

  it("registers findings by severity with a dated remediation plan, and the period's rollouts", () => {
    expect(model.findings.length).toBeGreaterThan(5);
    const ranks = { critical: 0, high: 1, medium: 2, low: 3 };
    const order = model.findings.map((f) => ranks[f.severity]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(model.remediationPlan.map((r) => r.findingId)).toEqual(model.findings.map((f) => f.id));
    const critical = model.remediationPlan.find((r) => r.severity === "critical")!;
    expect(critical.dueBy).toBe("2026-12-02T12:00:00.000Z"); // 7 days after the period
    expect(model.incidentReadiness.rollouts.map((r) => r.id)).toEqual([
      "rol_01JDEMO0000000000000000001",
      "rol_01JDEMO0000000000000000002",
    ]);
    expect(model.incidentReadiness.failedRollouts).toBe(1);
    expect(model.incidentReadiness.rollbacks).toBe(1);
    expect(model.incidentReadiness.deadlines.map((d) => d.within)).toEqual([
      "24 hours",
      "72 hours",
      "on request",
      "1 month",
    ]);
  });

  it("maps every point to ISO 27001, BP-028 and DORA in the annex", () => {
    const rows = model.annexes.mapping;
    expect(rows.map((r) => r.point)).toEqual([...POINTS, "Art. 23"]);
    for (const r of rows.slice(0, 10)) {
      expect(r.iso27001.length, r.point).toBeGreaterThan(0);
      expect(r.dora.length, r.point).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.point === "i")!.anssiBp028.length).toBeGreaterThan(0);
  });

  it("rejects a period whose since is after its until", () => {
    expect(() =>
      buildNis2Report({ ...input, period: { since: UNTIL, until: "2026-01-01T00:00:00Z" } }),
    ).toThrow(/since is after/);
  });
});

/** Non-white pixels of a binary PPM (P6) file. */
function inkPixels(ppm: Buffer): { ink: number; total: number } {
  // Header: "P6\n<w> <h>\n<max>\n" (pdftoppm writes no comments).
  let offset = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    let end = offset;
    while (ppm[end] !== 0x20 && ppm[end] !== 0x0a) end++;
    const token = ppm.subarray(offset, end).toString("ascii");
    if (token !== "") fields.push(token);
    offset = end + 1;
  }
  const [magic, w, h] = fields;
  expect(magic).toBe("P6");
  const total = Number(w) * Number(h);
  let ink = 0;
  for (let i = offset; i + 2 < ppm.length; i += 3)
    if (ppm[i]! < 235 || ppm[i + 1]! < 235 || ppm[i + 2]! < 235) ink++;
  return { ink, total };
}

describe("renderNis2Pdf", () => {
  const model = buildNis2Report(fixtureInput());
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-nis2-"));
  const pdfPath = join(dir, "report.pdf");
  let text = "";

  beforeAll(async () => {
    // Rendered from the JSON twin read back: the renderer needs nothing but the view model.
    const twin = validate<Nis2ReportModel>("nis2-report", JSON.parse(nis2ReportJson(model)), "twin");
    writeFileSync(pdfPath, await renderNis2Pdf(twin));
    text = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8", maxBuffer: 64 << 20 });
  });

  it("passes qpdf --check", () => {
    const out = execFileSync("qpdf", ["--check", pdfPath], { encoding: "utf8" });
    expect(out).toMatch(/No syntax or stream encoding errors found/);
  });

  it("has every point (a)-(j) as a section and every section of the report", () => {
    for (const p of model.points) expect(text, p.point).toContain(`(${p.point}) ${p.title.slice(0, 30)}`);
    for (const heading of [
      "1. Identification",
      "2. Executive summary",
      "3. Scope: inventory",
      "4. Basis and method",
      "5. Measures of Article 21(2)",
      "6. Findings register",
      "7. Remediation plan",
      "8. Incident-reporting readiness (Art. 23)",
      "9. Sign-off",
      "Annex A. Evidence index",
      "Annex B. Mapping NIS2",
    ])
      expect(text).toContain(heading);
  });

  it("prints the JSON twin's and the bundle's SHA-256 and every evidence hash", () => {
    expect(text).toContain(sha256Hex(nis2ReportJson(model)));
    expect(text).toContain("ab".repeat(32));
    const hashes = new Set(model.annexes.evidenceIndex.map((e) => e.sha256));
    expect(hashes.size).toBeGreaterThan(100);
    for (const h of hashes) expect(text, h).toContain(h);
    for (const f of model.findings.slice(0, 5)) expect(text).toContain(f.id);
    expect(text).toContain(WAIVER.id);
  });

  it("numbers its pages and renders none of them blank", () => {
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [pdfPath], { encoding: "utf8" }))![1]);
    expect(pages).toBeGreaterThan(5);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    execFileSync("pdftoppm", ["-r", "40", pdfPath, join(dir, "page")]);
    const files = readdirSync(dir).filter((f) => f.startsWith("page") && f.endsWith(".ppm"));
    expect(files.length).toBe(pages);
    for (const f of files) {
      const { ink, total } = inkPixels(readFileSync(join(dir, f)));
      // Header and footer alone are ~0.3 % of a page; every page carries content well beyond that.
      expect(ink / total, f).toBeGreaterThan(0.01);
    }
  });
});
