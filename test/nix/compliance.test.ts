/**
 * nixfleet.compliance: exceptions with a mandatory rationale, assertions whose messages say what to change,
 * and the scope options, evaluated by real Nix through the module itself (stand-in module evaluator).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evalFailure, evalJson, repoPath, repoRoot, withPrelude } from "./nix.js";

/** A host with only the compliance module and the given definitions; facts.json is not written here. */
function complianceHost(definitions: string): string {
  return withPrelude(`standinEval.evalModules {
    pkgs = standinPkgs;
    modules = [ ${repoPath("nix/modules/common/compliance.nix")} { nixfleet.compliance.writeFacts = false; } (${definitions}) ];
  }`);
}

const exception = (fields: string) =>
  `{ nixfleet.compliance = { frameworks = [ "nis2" ]; exceptions = [ { ${fields} } ]; }; }`;

describe("compliance exceptions", () => {
  it("an empty rationale fails evaluation with a message that says what to write", () => {
    const failure = evalFailure(
      `(${complianceHost(exception(`control = "ssh-no-root-login"; rationale = "";`))}).assertionsChecked`,
    );
    expect(failure).toContain("Failed assertions:");
    expect(failure).toContain(
      '- nixfleet.compliance.exceptions.0 (control "ssh-no-root-login"): the rationale is empty.',
    );
    expect(failure).toContain("write why the control cannot be met on this host and what compensates for it");
  });

  it("a rationale of only whitespace is empty too", () => {
    const failure = evalFailure(
      `(${complianceHost(exception(`control = "ssh-no-root-login"; rationale = "  \\n\\t ";`))}).assertionsChecked`,
    );
    expect(failure).toContain("the rationale is empty");
  });

  it("a complete exception passes, and the module keeps every field", () => {
    const result = evalJson<{ checked: boolean; exceptions: unknown[] }>(
      `let host = ${complianceHost(
        exception(
          `control = "ssh-no-root-login"; rationale = "Backup appliance needs root; restricted by firewall."; approvedBy = "ciso@example.org"; expires = "2026-12-31";`,
        ),
      )}; in { checked = host.assertionsChecked; exceptions = host.config.nixfleet.compliance.exceptions; }`,
    );
    expect(result.checked).toBe(true);
    expect(result.exceptions).toEqual([
      {
        control: "ssh-no-root-login",
        rationale: "Backup appliance needs root; restricted by firewall.",
        approvedBy: "ciso@example.org",
        expires: "2026-12-31",
      },
    ]);
  });

  it("names every other mistake: empty control, blank approver, malformed expiry, a control declared twice", () => {
    const messages = evalJson<{ assertion: boolean; message: string }[]>(
      `(${complianceHost(`{ nixfleet.compliance = { frameworks = [ "nis2" ]; exceptions = [
        { control = ""; rationale = "r"; }
        { control = "firewall-enabled"; rationale = "r"; approvedBy = " "; expires = "31/12/2026"; }
        { control = "firewall-enabled"; rationale = "r"; expires = "2026-12-31T23:59:59Z"; }
      ]; }; }`)}).config.assertions`,
    ).map((a) => a.message);
    expect(messages).toEqual([
      'nixfleet.compliance.exceptions.0: `control` is empty; name the control the exception is for, e.g. control = "ssh-no-root-login"; (the catalog: docs/controls.md; a compliance-check report names each control).',
      'nixfleet.compliance.exceptions.1 (control "firewall-enabled"): `approvedBy` is empty; name who approved the exception, or remove the attribute.',
      'nixfleet.compliance.exceptions.1 (control "firewall-enabled"): expires = "31/12/2026" is not a date; write it as YYYY-MM-DD (or an RFC 3339 date-time), e.g. expires = "2026-12-31";',
      'nixfleet.compliance.exceptions declares control "firewall-enabled" more than once; merge them into one exception with one rationale.',
    ]);
  });

  it("a missing rationale is an error of the option itself", () => {
    const failure = evalFailure(
      `(${complianceHost(exception(`control = "ssh-no-root-login";`))}).config.nixfleet.compliance.exceptions`,
    );
    expect(failure).toContain(
      "The option `nixfleet.compliance.exceptions.[0].rationale' is used but not defined.",
    );
  });
});

describe("compliance scope", () => {
  it("offers exactly the frameworks, ANSSI levels and NIS2 entity types of the governance policy schema", () => {
    const policy = JSON.parse(readFileSync(join(repoRoot, "schemas/policy.schema.json"), "utf8")) as {
      properties: {
        frameworks: { items: { enum: string[] } };
        anssiLevel: { enum: string[] };
        nis2Entity: { enum: string[] };
      };
    };
    const lib = evalJson<{ frameworks: string[]; anssiLevels: string[]; nis2Entities: string[] }>(
      `let c = import ${repoPath("nix/lib/compliance.nix")}; in { inherit (c) frameworks anssiLevels nis2Entities; }`,
    );
    expect(lib).toEqual({
      frameworks: policy.properties.frameworks.items.enum,
      anssiLevels: policy.properties.anssiLevel.enum,
      nis2Entities: policy.properties.nis2Entity.enum,
    });
    const failure = evalFailure(
      `(${complianceHost(`{ nixfleet.compliance.frameworks = [ "pci-dss" ]; }`)}).config.nixfleet.compliance.frameworks`,
    );
    expect(failure).toContain(
      'A definition for option `nixfleet.compliance.frameworks.[0]\' is not of type `one of "nis2", "dora", "iso27001", "anssi-bp028"\'',
    );
  });

  it("warns when a level or entity type is set without its framework", () => {
    const warnings = evalJson<string[]>(
      `(${complianceHost(`{ nixfleet.compliance = { frameworks = [ "dora" ]; anssiLevel = "enhanced"; nis2Entity = "essential"; }; }`)}).config.warnings`,
    );
    expect(warnings).toEqual([
      'nixfleet.compliance.anssiLevel = "enhanced" has no effect: add "anssi-bp028" to nixfleet.compliance.frameworks, or remove anssiLevel.',
      'nixfleet.compliance.nis2Entity = "essential" has no effect: add "nis2" to nixfleet.compliance.frameworks, or remove nis2Entity.',
    ]);
  });
});
