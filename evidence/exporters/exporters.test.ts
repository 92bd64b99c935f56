import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv as Ajv07 } from "ajv";
import Ajv04Module from "ajv-draft-04";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { create } from "xmlbuilder2";
import { evaluateHost, selectControls } from "../../controls/index.js";
import type { Facts } from "../../controls/types.js";
import type { GateDecision } from "../../schemas/generated/gate-decision.js";
import type { Waiver } from "../../schemas/generated/policy.js";
import { validate } from "../../schemas/registry.js";
import { recordFromResult, sealRecord } from "../records.js";
import { generateSigningKeys } from "../sign.js";
import { buildComplianceReport, type ComplianceReport } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderOscal, toOscal } from "./oscal.js";
import { renderSarif, sarifLevel, toSarif } from "./sarif.js";
import { contentUuid, NIXFLEET_OSCAL_NAMESPACE } from "./uuid.js";

// A small but complete report: every status, a waiver, signed evidence records, XML-hostile host names.

const GENERATED_AT = "2026-11-25T12:00:00.000Z";

const hardened: Facts = {
  nixfleet: { meta: { hostName: "web-1", system: "x86_64-linux", collectedAt: "2026-11-25T11:00:00Z" } },
  services: { openssh: { enable: true, settings: { PermitRootLogin: "no", PasswordAuthentication: false } } },
  networking: { firewall: { enable: true } },
};
const weak: Facts = {
  nixfleet: { meta: { hostName: "db-<1>&", system: "x86_64-linux", collectedAt: "2026-11-25T11:00:00Z" } },
  services: { openssh: { enable: true, settings: { PermitRootLogin: "yes", PasswordAuthentication: true } } },
  networking: { firewall: { enable: false } },
};
const mac: Facts = {
  nixfleet: { meta: { hostName: "mac-1", system: "aarch64-darwin", collectedAt: "2026-11-25T11:00:00Z" } },
};

const waiver: Waiver = {
  id: "wvr-legacy-db",
  controlId: "ssh-no-password-auth",
  hosts: ["db-<1>&"],
  rationale: "legacy client until Q1 <migration> & cut-over",
  requestedBy: "alice",
  approvedBy: "bob",
  expiresAt: "2027-01-01T00:00:00Z",
};

function sampleReport(): { report: ComplianceReport; controls: ReturnType<typeof selectControls> } {
  const controls = selectControls({ frameworks: ["nis2"] });
  const raw = [
    ...evaluateHost("web-1", hardened, controls),
    ...evaluateHost("db-<1>&", weak, controls),
    ...evaluateHost("mac-1", mac, controls),
  ];
  // One check that could not run, so every status appears.
  raw.push({
    ...raw[0]!,
    host: "web-1",
    controlId: "ssh-no-root-login",
    status: "error",
    message: "facts unreadable",
  });
  const { privateKey } = generateSigningKeys();
  const evidence = raw.map((r) => sealRecord(recordFromResult(r, { collectedAt: GENERATED_AT }), privateKey));
  const linked = raw.map((r, i) => ({
    ...r,
    evidenceId: evidence[i]!.id,
    collectedAt: evidence[i]!.collectedAt,
  }));
  // The exporters render whatever the gate decided; evidence/ may not import engine/, so the waiver and the
  // decision are applied here the way engine/governance does (covered by its own tests).
  const results = linked.map((r) =>
    r.host === waiver.hosts![0] && r.controlId === waiver.controlId && r.status === "fail"
      ? {
          ...r,
          status: "waived" as const,
          waiver: {
            id: waiver.id,
            rationale: waiver.rationale,
            approver: waiver.approvedBy,
            expiresAt: waiver.expiresAt,
          },
        }
      : r,
  );
  const problems = results.filter((r) => r.status === "fail" || r.status === "error");
  const hosts = ["web-1", "db-<1>&", "mac-1"];
  const decision: GateDecision = {
    decision: "block",
    mode: "enforce",
    phase: "pre-rollout",
    decidedAt: GENERATED_AT,
    reasons: problems.map((r) => ({
      controlId: r.controlId,
      host: r.host,
      status: r.status,
      why: r.status === "fail" ? "failed" : "error",
      evidenceId: r.evidenceId,
      mode: "enforce",
      blocking: true,
      message: r.message,
    })),
    targets: hosts.map((host) => ({
      host,
      mode: "enforce",
      decision: problems.some((p) => p.host === host) ? "block" : "allow",
    })),
    counts: {
      targets: 3,
      required: results.length,
      pass: results.filter((r) => r.status === "pass").length,
      fail: results.filter((r) => r.status === "fail").length,
      waived: 1,
      missing: 0,
      stale: 0,
      error: 1,
      drift: 0,
      notApplicable: results.filter((r) => r.status === "not-applicable").length,
      advisoryFailed: 0,
    },
  };
  const report = buildComplianceReport({
    generatorVersion: "0.1.0",
    generatedAt: GENERATED_AT,
    inputs: { kind: "facts", source: "fleet.json", hosts: ["web-1", "db-<1>&", "mac-1"] },
    profile: { frameworks: ["nis2"] },
    controls,
    results,
    evidence,
    decision,
  });
  return { report, controls };
}

// The official schemas live outside the repository (../shared/reference-schemas) in this layout and in CI's.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const referenceSchema = (name: string): object =>
  JSON.parse(readFileSync(join(repoRoot, "../shared/reference-schemas", name), "utf8")) as object;

// Both packages ship CommonJS; under NodeNext their default export is the module object.
type AjvLike = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv04 = Ajv04Module as unknown as new (opts: object) => AjvLike;
const addFormats = addFormatsModule as unknown as (ajv: AjvLike) => AjvLike;

function sarifValidator() {
  // SARIF's schema is draft-04; "strict: false" because it uses keywords ajv's strict mode rejects (e.g. "id").
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(referenceSchema("sarif-2.1.0.schema.json"));
}
function oscalValidator() {
  // OSCAL's token pattern uses \p{L}: ajv must build its RegExps with the "u" flag (unicodeRegExp, on by default).
  const ajv = new Ajv07({ allErrors: true, strict: false, unicodeRegExp: true }) as unknown as AjvLike;
  addFormats(ajv);
  return ajv.compile(referenceSchema("oscal-assessment-results.schema.json"));
}

describe("compliance report (JSON)", () => {
  it("validates against compliance-report.schema.json and summarises hosts and NIS2 points", () => {
    const { report } = sampleReport();
    validate("compliance-report", report);
    expect(report.exitCode).toBe(1);
    expect(report.decision.decision).toBe("block");
    const db = report.summary.hosts.find((h) => h.host === "db-<1>&")!;
    expect(db.decision).toBe("block");
    expect(db.counts.fail).toBeGreaterThan(0);
    expect(db.counts.waived).toBe(1);
    const waived = report.results.find((r) => r.status === "waived")!;
    expect(waived).toMatchObject({
      controlId: "ssh-no-password-auth",
      waiver: { id: "wvr-legacy-db", approver: "bob" },
    });
    // every NIS2 point (a)–(j) and 23 is listed; organisational ones carry their document
    expect(report.summary.nis2.map((n) => n.requirement)).toEqual(
      ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].map((p) => `21.2.${p}`).concat("23"),
    );
    for (const n of report.summary.nis2)
      if (n.organisational || n.controls.length === 0) expect(n.evidenceByDocument).toBeTruthy();
    expect(report.organisationalMeasures.map((m) => m.requirement)).toContain("21.2.a");
    // totals add up
    const t = report.summary.totals;
    expect(t.pass + t.fail + t.error + t.notApplicable + t.waived).toBe(report.results.length);
  });
});

describe("SARIF", () => {
  it("validates against the official SARIF 2.1.0 schema", () => {
    const { report, controls } = sampleReport();
    const log = JSON.parse(renderSarif(report, controls, { artifactUri: "fleet.json" }));
    const valid = sarifValidator();
    expect(valid(log), JSON.stringify(valid.errors, null, 2)).toBe(true);
    // the validator is not vacuous: a level SARIF does not define is rejected
    log.runs[0].results[0].level = "fatal";
    expect(valid(log)).toBe(false);
  });

  it("has one rule per control with mappings as tags, and levels from severity", () => {
    const { report, controls } = sampleReport();
    const log = toSarif(report, controls);
    const run = log.runs[0] as {
      tool: { driver: { rules: { id: string; helpUri: string; properties: { tags: string[] } }[] } };
      results: Record<string, unknown>[];
    };
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(controls.map((c) => c.id));
    const rule = run.tool.driver.rules.find((r) => r.id === "ssh-no-root-login")!;
    expect(rule.helpUri).toBe("https://nixfleet.dev/docs/controls#ssh-no-root-login");
    expect(rule.properties.tags).toContain("nis2/21.2.i");
    const failing = run.results.find(
      (r) => r.ruleId === "ssh-no-root-login" && (r.properties as { host: string }).host === "db-<1>&",
    )!;
    expect(failing).toMatchObject({ kind: "fail", level: "error" });
    expect(failing.locations).toEqual([
      {
        logicalLocations: [
          {
            name: "services.openssh.settings.PermitRootLogin",
            fullyQualifiedName: "db-<1>&/services.openssh.settings.PermitRootLogin",
            kind: "member",
          },
          { name: "db-<1>&", kind: "module" },
        ],
      },
    ]);
    const waived = run.results.find((r) => (r.properties as { status: string }).status === "waived")!;
    expect(waived.suppressions).toEqual([expect.objectContaining({ kind: "external", status: "accepted" })]);
    expect(run.results.filter((r) => r.kind === "pass").every((r) => r.level === "none")).toBe(true);
    expect(run.results.length).toBe(report.results.length);
  });

  it("gives levels by severity", () => {
    expect(["critical", "high", "medium", "low"].map((s) => sarifLevel(s as "low"))).toEqual([
      "error",
      "error",
      "warning",
      "note",
    ]);
  });
});

// xmlbuilder2's object format keeps entities escaped; its DOM decodes them, so the tests read the DOM.
interface XmlElement {
  tagName: string;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
  children: ArrayLike<XmlElement>;
  textContent: string | null;
}
const elements = (parent: XmlElement, tag: string): XmlElement[] =>
  Array.from(parent.getElementsByTagName(tag));
const childTags = (el: XmlElement): string[] => Array.from(el.children).map((c) => c.tagName);

describe("JUnit", () => {
  it("parses as XML with one testsuite per host and outcomes per status", () => {
    const { report } = sampleReport();
    const xml = renderJunit(report);
    const root = create(xml).root().node as unknown as XmlElement;
    expect(root.tagName).toBe("testsuites");
    const count = (host: string | undefined, ...statuses: string[]) =>
      report.results.filter((r) => (host === undefined || r.host === host) && statuses.includes(r.status))
        .length;
    expect(Number(root.getAttribute("tests"))).toBe(report.results.length);
    expect(Number(root.getAttribute("failures"))).toBe(count(undefined, "fail"));
    expect(Number(root.getAttribute("errors"))).toBe(count(undefined, "error"));
    expect(Number(root.getAttribute("skipped"))).toBe(count(undefined, "not-applicable", "waived"));
    const suites = elements(root, "testsuite");
    expect(suites.map((s) => s.getAttribute("name"))).toEqual(["web-1", "db-<1>&", "mac-1"]);
    for (const suite of suites) {
      const host = suite.getAttribute("name")!;
      const cases = elements(suite, "testcase");
      expect(cases.length).toBe(report.results.filter((r) => r.host === host).length);
      expect(Number(suite.getAttribute("tests"))).toBe(cases.length);
      expect(cases.filter((c) => childTags(c).includes("failure")).length).toBe(count(host, "fail"));
      expect(Number(suite.getAttribute("failures"))).toBe(count(host, "fail"));
      expect(cases.filter((c) => childTags(c).includes("error")).length).toBe(count(host, "error"));
      expect(cases.filter((c) => childTags(c).includes("skipped")).length).toBe(
        count(host, "not-applicable", "waived"),
      );
      expect(cases.every((c) => c.getAttribute("classname") === `nixfleet.${host}`)).toBe(true);
    }
    const db = suites[1]!;
    const waived = elements(db, "testcase").find((t) =>
      t.getAttribute("name")!.startsWith("ssh-no-password-auth"),
    )!;
    expect(elements(waived, "skipped")[0]!.getAttribute("message")).toBe(
      "waived by wvr-legacy-db until 2027-01-01T00:00:00Z: legacy client until Q1 <migration> & cut-over",
    );
    const rootLogin = elements(db, "testcase").find((t) =>
      t.getAttribute("name")!.startsWith("ssh-no-root-login"),
    )!;
    const failure = elements(rootLogin, "failure")[0]!;
    expect(failure.getAttribute("type")).toBe("high");
    expect(failure.textContent).toContain("observed: yes");
    expect(failure.textContent).toContain("remediation: services.openssh.settings.PermitRootLogin");
  });
});

describe("OSCAL", () => {
  it("validates against the official OSCAL assessment-results schema", () => {
    const { report, controls } = sampleReport();
    const doc = JSON.parse(renderOscal(report, controls));
    const valid = oscalValidator();
    expect(valid(doc), JSON.stringify(valid.errors, null, 2).slice(0, 3000)).toBe(true);
    // not vacuous: a finding status OSCAL does not define, or a missing import-ap, is rejected
    const broken = structuredClone(doc);
    broken["assessment-results"].results[0].findings[0].target.status.state = "passed";
    expect(valid(broken)).toBe(false);
    delete doc["assessment-results"]["import-ap"];
    expect(valid(doc)).toBe(false);
  });

  it("has observations with evidence, findings with satisfied / not-satisfied, and stable uuids", () => {
    const { report, controls } = sampleReport();
    const doc = toOscal(report, controls)["assessment-results"] as {
      uuid: string;
      results: {
        observations: Record<string, unknown>[];
        findings: { target: { status: { state: string } } }[];
      }[];
    };
    const result = doc.results[0]!;
    expect(result.observations.length).toBe(report.results.length);
    expect(result.findings.length).toBe(report.results.filter((r) => r.status !== "not-applicable").length);
    const notSatisfied = result.findings.filter((f) => f.target.status.state === "not-satisfied").length;
    expect(notSatisfied).toBe(
      report.results.filter((r) => r.status === "fail" || r.status === "error").length,
    );
    const first = result.observations[0] as {
      "relevant-evidence": { href: string; description: string }[];
      methods: string[];
    };
    expect(first.methods).toEqual(["EXAMINE"]);
    expect(first["relevant-evidence"][0]!.href).toBe(
      `urn:nixfleet:evidence:${report.results[0]!.evidenceId}`,
    );
    expect(first["relevant-evidence"][0]!.description).toContain(report.evidence![0]!.sha256);
    // same report, same bytes
    expect(renderOscal(report, controls)).toBe(renderOscal(structuredClone(report), controls));
    const uuids = JSON.stringify(doc).match(/"uuid":"[^"]+"/g)!;
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it("derives uuids from content: RFC 4122 shape, version 5, our namespace reproducible", () => {
    expect(contentUuid(["https://nixfleet.dev/oscal"], "")).toBe(NIXFLEET_OSCAL_NAMESPACE);
    const u = contentUuid(["a", "b"]);
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(contentUuid(["a", "b"])).toBe(u);
    expect(contentUuid(["ab", ""])).not.toBe(contentUuid(["a", "b"]));
  });
});
