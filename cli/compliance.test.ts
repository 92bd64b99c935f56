/**
 * `nixfleet compliance-check` as users run it: the compiled CLI (dist/cli/main.js, built by npm run build) on
 * the example fleet, a real local flake evaluated by the real nix, and every kind of bad input.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv as Ajv07 } from "ajv";
import Ajv04Module from "ajv-draft-04";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { create } from "xmlbuilder2";
import { verifyEvidenceFile } from "../evidence/records.js";
import { writeSigningKeyPair } from "../evidence/sign.js";
import type { ComplianceReport } from "../schemas/generated/compliance-report.js";
import { validate } from "../schemas/registry.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(repoRoot, "dist/cli/main.js");
const FLEET = join(repoRoot, "examples/fleet");
const HARDENED = join(FLEET, "hardened.json");
const INSECURE = join(FLEET, "insecure.json");
const FLEET_FILE = join(FLEET, "fleet.json");
const POLICY = join(repoRoot, "examples/policy.json");
const work = mkdtempSync(join(tmpdir(), "nf-compliance-"));

function nixEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.NIX_CONFIG?.includes("nix-command"))
    env.NIX_CONFIG = `sandbox = false\nbuild-users-group =\nexperimental-features = nix-command flakes\n${env.NIX_CONFIG ?? ""}`;
  return env;
}

function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const proc = spawnSync(process.execPath, [CLI, "compliance-check", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    input: options.input,
    env: options.env ?? nixEnv(),
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: proc.status, stdout: proc.stdout, stderr: proc.stderr };
}

/** Exit 2, one message naming the file and the JSON path, and no stack trace. */
function expectBadInput(r: ReturnType<typeof cli>, ...fragments: string[]) {
  expect(r.code, r.stderr).toBe(2);
  for (const f of fragments) expect(r.stderr).toContain(f);
  expect(r.stderr).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  expect(r.stderr).not.toContain("internal error");
}

function write(name: string, content: string | object): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

const hardenedFacts = () =>
  JSON.parse(readFileSync(HARDENED, "utf8")) as { nixfleet: { meta: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
const examplePolicy = () =>
  JSON.parse(readFileSync(POLICY, "utf8")) as { waivers: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (scripts/test.sh does)`);
});

describe("compliance-check on the example fleet", () => {
  it("passes the hardened host (exit 0) and shows NIS2 points with organisational measures", () => {
    const r = cli(["--facts", HARDENED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("(a) Policies on risk analysis");
    expect(r.stdout).toMatch(/\(a\) Policies on risk analysis.*organisational measure: evidence by document/);
    expect(r.stdout).toMatch(/\(i\) Human resources security.*\s\d+\s+0\s+0\s+0\s+\d+/);
    expect(r.stdout).toContain("Verdict: ALLOW");
  });

  it("fails the insecure host (exit 1) on what a NixOS security review flags", () => {
    const r = cli(["--facts", INSECURE, "--json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("compliance-check: blocked");
    const report = validate<ComplianceReport>("compliance-report", JSON.parse(r.stdout));
    const failed = new Set(report.results.filter((x) => x.status === "fail").map((x) => x.controlId));
    for (const id of [
      "ssh-no-root-login",
      "ssh-no-password-auth",
      "firewall-enabled",
      "no-plaintext-passwords",
      "sudo-wheel-password",
      "password-hash-strong",
    ])
      expect(failed).toContain(id);
    expect(report.exitCode).toBe(1);
    expect(report.decision.decision).toBe("block");
    // mappings are {framework, requirement} pairs with DESIGN.md ids
    const rootLogin = report.results.find((x) => x.controlId === "ssh-no-root-login")!;
    expect(rootLogin.mappings).toContainEqual({ framework: "nis2", requirement: "21.2.i" });
    expect(rootLogin.mappings).toContainEqual({ framework: "anssi-bp028", requirement: "R33" });
    expect(rootLogin).toMatchObject({ observed: "yes", expected: "no" });
  });

  it("applies the example policy: the waiver covers db-01, legacy-01 still blocks", () => {
    const all = cli(["--facts", FLEET_FILE, "--policy", POLICY, "--json"]);
    expect(all.code).toBe(1);
    const report = JSON.parse(all.stdout) as ComplianceReport;
    expect(report.inputs).toMatchObject({
      kind: "facts",
      hosts: ["web-01", "legacy-01", "db-01", "mac-01"],
      policy: POLICY,
    });
    expect(report.summary.hosts.find((h) => h.host === "db-01")!.decision).toBe("allow");
    expect(
      report.results.find((x) => x.host === "db-01" && x.controlId === "firewall-listening-services"),
    ).toMatchObject({
      status: "waived",
      waiver: { id: "wvr-db-01-postgres-port", approver: "ciso@example.org" },
    });
    const withoutLegacy = cli([
      "--facts",
      FLEET_FILE,
      "--policy",
      POLICY,
      "--host",
      "web-01,db-01",
      "--host",
      "mac-01",
    ]);
    expect(withoutLegacy.code, withoutLegacy.stdout + withoutLegacy.stderr).toBe(0);
    expect(withoutLegacy.stdout).toMatch(
      /WAIVED .*db-01 .*firewall-listening-services .*wvr-db-01-postgres-port/,
    );
  });

  it("reads facts from stdin and filters by framework and level", () => {
    const facts = readFileSync(INSECURE, "utf8");
    const minimal = cli(["--facts", "-", "--framework", "anssi-bp028", "--level", "minimal", "--json"], {
      input: facts,
    });
    const high = cli(["--facts", "-", "--framework", "anssi-bp028", "--level", "high", "--json"], {
      input: facts,
    });
    const nis2 = cli(["--facts", "-", "--framework", "nis2,dora", "--entity", "important", "--json"], {
      input: facts,
    });
    const [m, h, n] = [minimal, high, nis2].map((r) => JSON.parse(r.stdout) as ComplianceReport);
    expect(m!.profile).toMatchObject({ frameworks: ["anssi-bp028"], level: "minimal" });
    expect(m!.profile.controls).toBeLessThan(h!.profile.controls);
    expect(n!.profile).toMatchObject({ frameworks: ["nis2", "dora"], entity: "important" });
    expect(n!.results.some((x) => x.controlId === "updates-lock-fresh-essential")).toBe(false);
    expect(m!.inputs.source).toBe("-");
  });

  it("counts evidence older than the freshness window as not passing (exit 1)", () => {
    const facts = hardenedFacts();
    facts.nixfleet.meta.collectedAt = new Date(Date.now() - 40 * 24 * 3600_000).toISOString();
    const r = cli(["--facts", write("stale.json", facts)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/blocked — 0 failed, 0 missing, \d+ stale/);
    expect(r.stdout).toContain("stale-evidence");
  });

  it("writes SARIF that validates against the official schema", () => {
    const out = join(work, "out.sarif");
    const r = cli(["--facts", FLEET_FILE, "--format", "sarif", "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const ajv = new (
      Ajv04Module as unknown as new (
        o: object,
      ) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } }
    )({ strict: false });
    (addFormatsModule as unknown as (a: unknown) => void)(ajv);
    const valid = ajv.compile(
      JSON.parse(readFileSync(join(repoRoot, "../shared/reference-schemas/sarif-2.1.0.schema.json"), "utf8")),
    );
    const log = JSON.parse(readFileSync(out, "utf8"));
    expect(valid(log), JSON.stringify(valid.errors)).toBe(true);
    expect(
      log.runs[0].results.some(
        (x: { ruleId: string; level: string }) => x.ruleId === "ssh-no-root-login" && x.level === "error",
      ),
    ).toBe(true);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(FLEET_FILE);
  });

  it("writes OSCAL that validates against the official schema", () => {
    const r = cli(["--facts", HARDENED, "--format", "oscal"]);
    expect(r.code).toBe(0);
    const ajv = new Ajv07({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: unknown) => void)(ajv);
    const valid = ajv.compile(
      JSON.parse(
        readFileSync(
          join(repoRoot, "../shared/reference-schemas/oscal-assessment-results.schema.json"),
          "utf8",
        ),
      ),
    );
    const doc = JSON.parse(r.stdout);
    expect(valid(doc), JSON.stringify(valid.errors)?.slice(0, 2000)).toBe(true);
    expect(doc["assessment-results"].results[0].findings.length).toBeGreaterThan(30);
  });

  it("writes JUnit XML with one testsuite per host", () => {
    const r = cli(["--facts", FLEET_FILE, "--format", "junit"]);
    expect(r.code).toBe(1);
    const root = create(r.stdout).root().node as unknown as {
      getElementsByTagName(n: string): ArrayLike<{ getAttribute(a: string): string | null }>;
      getAttribute(a: string): string | null;
    };
    const suites = Array.from(root.getElementsByTagName("testsuite"));
    expect(suites.map((s) => s.getAttribute("name"))).toEqual(["web-01", "legacy-01", "db-01", "mac-01"]);
    expect(Number(suites[0]!.getAttribute("failures"))).toBe(0);
    expect(Number(suites[1]!.getAttribute("failures"))).toBeGreaterThan(20);
    expect(Number(root.getAttribute("tests"))).toBe(root.getElementsByTagName("testcase").length);
  });

  it("signs evidence records with --sign-key; nixfleet evidence verify finds a tampered record", () => {
    const keys = writeSigningKeyPair(join(work, "keys"));
    const reportFile = join(work, "signed.json");
    const r = cli([
      "--facts",
      FLEET_FILE,
      "--json",
      "--sign-key",
      keys.privateKeyPath,
      "--output",
      reportFile,
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as ComplianceReport;
    expect(report.evidence!.length).toBe(report.results.length);
    expect(report.results.every((x, i) => x.evidenceId === report.evidence![i]!.id)).toBe(true);
    expect(report.evidence!.every((e) => e.signature?.keyId === keys.keyId)).toBe(true);
    expect(verifyEvidenceFile(reportFile, keys.publicKeyPath)).toMatchObject({ ok: true, failed: 0 });

    (report.evidence![5]!.payload as { status: string }).status = "pass";
    writeFileSync(reportFile, JSON.stringify(report));
    const tampered = verifyEvidenceFile(reportFile, keys.publicKeyPath);
    expect(tampered).toMatchObject({ ok: false, failed: 1 });
    expect(tampered.records[5]).toMatchObject({ failure: "hash-mismatch", location: "$.evidence[5]" });
  });
});

describe("compliance-check on a real flake", () => {
  const flakeDir = join(work, "flake");
  beforeAll(() => {
    mkdirSync(flakeDir, { recursive: true });
    copyFileSync(HARDENED, join(flakeDir, "hardened.json"));
    copyFileSync(INSECURE, join(flakeDir, "insecure.json"));
    // No nixpkgs (no network): nixosConfigurations.<host>.config.nixfleet.compliance.facts is a literal attrset.
    writeFileSync(
      join(flakeDir, "flake.nix"),
      `{
  outputs = { self }: {
    nixosConfigurations = {
      web-01.config.nixfleet.compliance.facts = builtins.fromJSON (builtins.readFile ./hardened.json);
      "legacy-01".config.nixfleet.compliance.facts = builtins.fromJSON (builtins.readFile ./insecure.json);
      broken.config.nixfleet.compliance.facts = { nixfleet.meta = { hostName = "broken"; system = 42; }; };
    };
  };
}
`,
    );
  });

  it("evaluates each host with nix eval and checks it", () => {
    const ref = `path:${flakeDir}`;
    const good = cli(["--flake", ref, "--host", "web-01", "--json"]);
    expect(good.code, good.stderr).toBe(0);
    const report = JSON.parse(good.stdout) as ComplianceReport;
    expect(report.inputs).toEqual({ kind: "flake", source: ref, hosts: ["web-01"] });
    const both = cli(["--flake", ref, "--host", "web-01,legacy-01"]);
    expect(both.code, both.stderr).toBe(1);
    expect(both.stdout).toMatch(/legacy-01 .*block/);
  });

  it("names the flake attribute and JSON path of facts that do not fit the schema", () => {
    const r = cli(["--flake", `path:${flakeDir}`]);
    expectBadInput(
      r,
      "nixosConfigurations.broken.config.nixfleet.compliance.facts",
      "$.nixfleet.meta.system",
    );
  });

  it("names an unknown host and lists the flake's hosts", () => {
    expectBadInput(
      cli(["--flake", `path:${flakeDir}`, "--host", "nope"]),
      "no nixosConfigurations.nope",
      "web-01",
    );
  });

  it("says which tool is missing when nix is not installed", () => {
    const r = cli(["--flake", `path:${flakeDir}`], { env: { ...nixEnv(), PATH: "/nonexistent" } });
    expectBadInput(r, "needs the `nix` command", "nix-bin");
  });
});

describe("compliance-check bad input (exit 2, file and JSON path, no stack trace)", () => {
  it("invalid JSON: file, line and column", () => {
    const file = write("broken.json", '{\n  "web-01": {\n    "nixfleet": {,\n  }\n}');
    expectBadInput(cli(["--facts", file]), `${file}:3:18: invalid JSON: expected a string, found ","`);
    expectBadInput(cli(["--facts", "-"], { input: "[1," }), "<stdin>:1:4: invalid JSON");
  });

  it("facts that fail the schema: the JSON path, under the host in a fleet file", () => {
    const facts = hardenedFacts();
    facts.nixfleet.meta.system = "sparc-solaris";
    expectBadInput(
      cli(["--facts", write("bad-system.json", facts)]),
      "bad-system.json: invalid facts at $.nixfleet.meta.system",
    );
    expectBadInput(
      cli([
        "--facts",
        write("bad-fleet.json", {
          "web-01": hardenedFacts(),
          "db-01": { nixfleet: { meta: { system: "x86_64-linux" } } },
        }),
      ]),
      "bad-fleet.json: invalid facts at $.db-01.nixfleet.meta.hostName: is required",
    );
    expectBadInput(cli(["--facts", write("array.json", [1, 2])]), "array.json: invalid facts at $");
    expectBadInput(
      cli(["--facts", join(work, "absent.json")]),
      "absent.json: cannot read facts: no such file",
    );
  });

  it("unknown framework, level, entity or format", () => {
    expectBadInput(
      cli(["--facts", HARDENED, "--framework", "nis2,pci"]),
      'unknown framework "pci"',
      "nis2, dora, iso27001, anssi-bp028",
    );
    expectBadInput(cli(["--facts", HARDENED, "--level", "extreme"]), 'unknown level "extreme"');
    expectBadInput(cli(["--facts", HARDENED, "--entity", "huge"]), 'unknown NIS2 entity type "huge"');
    expectBadInput(cli(["--facts", HARDENED, "--format", "pdf"]), 'unknown format "pdf"');
  });

  it("malformed policies: schema errors, expired waiver, missing rationale, unknown control", () => {
    expectBadInput(
      cli(["--facts", HARDENED, "--policy", write("p-version.json", { version: 2 })]),
      "p-version.json: invalid policy at $.version",
    );
    const expired = examplePolicy();
    expired.waivers[0]!.expiresAt = "2020-01-01T00:00:00Z";
    expectBadInput(
      cli(["--facts", HARDENED, "--policy", write("p-expired.json", expired)]),
      "p-expired.json: invalid policy at $.waivers[0].expiresAt",
      'waiver "wvr-db-01-postgres-port" expired',
    );
    const noRationale = examplePolicy();
    delete noRationale.waivers[0]!.rationale;
    expectBadInput(
      cli(["--facts", HARDENED, "--policy", write("p-norationale.json", noRationale)]),
      "p-norationale.json: invalid policy at $.waivers[0].rationale: is required",
    );
    const blank = examplePolicy();
    blank.waivers[0]!.rationale = "   ";
    expectBadInput(
      cli(["--facts", HARDENED, "--policy", write("p-blank.json", blank)]),
      "$.waivers[0].rationale",
      "has no rationale",
    );
    expectBadInput(
      cli([
        "--facts",
        HARDENED,
        "--policy",
        write("p-unknown.json", { version: 1, requiredControls: ["ssh-no-rot-login"] }),
      ]),
      'p-unknown.json: invalid policy at $.requiredControls[0]: unknown control "ssh-no-rot-login"',
    );
    expectBadInput(
      cli(["--facts", HARDENED, "--policy", write("p-json.json", "{ version: 1 }")]),
      "p-json.json:1:3: invalid JSON",
    );
  });

  it("usage errors", () => {
    expectBadInput(cli([]), "--facts FILE");
    expectBadInput(cli(["--facts", HARDENED, "--flake", "."]), "exclude each other");
    expectBadInput(cli(["--facts", FLEET_FILE, "--host", "nope"]), 'no host "nope"', "web-01");
    expectBadInput(cli(["--facts", HARDENED, "--sign-key", join(work, "k")]), "--sign-key", "--format json");
    expectBadInput(
      cli(["--facts", HARDENED, "--json", "--sign-key", join(work, "absent.key")]),
      "absent.key: cannot read private key",
    );
    expectBadInput(cli(["--facts", HARDENED, "--json", "--format", "sarif"]), "exclude each other");
    expect(cli(["--bogus"]).code).toBe(2);
  });

  it("--help explains the exit codes", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("exit with the governance verdict: 0");
    expect(r.stdout).toContain("--sign-key");
  });
});
