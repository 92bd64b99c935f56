/**
 * templates/default (what `nix flake init -t nixfleet` copies): its flake's outputs called with the NixFleet
 * flake (stand-in inputs) give two hosts built by mkHost; each host evaluates through the NixFleet modules
 * without a failed assertion, renders a valid agent configuration and valid facts; policy.json is a valid
 * governance policy whose waiver matches the host's declared exception.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateHost as evaluateControls, selectControls } from "../../controls/index.js";
import { decideGate } from "../../engine/governance/index.js";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import type { Facts } from "../../schemas/generated/facts.js";
import type { Policy } from "../../schemas/generated/policy.js";
import { validate } from "../../schemas/registry.js";
import { evalJson, repoPath, repoRoot, withPrelude } from "./nix.js";

const templateOutputs = `(let outputs = (import ${repoPath("templates/default/flake.nix")}).outputs {
  self = outputs; nixpkgs = recordingNixpkgs; nixfleet = flakeOutputs;
}; in outputs)`;

interface HostResult {
  recordedBy: string;
  checked: boolean;
  agentJson: string;
  factsJson: string;
  warnings: string[];
}

function evaluateHost(name: string): HostResult {
  return evalJson<HostResult>(
    withPrelude(`let
      recorded = ${templateOutputs}.nixosConfigurations.${name};
      evaluated = standinEval.evalModules {
        pkgs = standinPkgs;
        modules = recorded.args.modules ++ [ (standinPkgs.hostBase "x86_64-linux") ];
      };
    in {
      inherit (recorded) recordedBy;
      checked = evaluated.assertionsChecked;
      agentJson = evaluated.config.environment.etc."nixfleet/agent.json".text;
      factsJson = evaluated.config.environment.etc."nixfleet/facts.json".text;
      warnings = evaluated.config.warnings;
    }`),
  );
}

describe("fleet template", () => {
  it("defines exactly the two hosts of the README, both built by mkHost as nixosSystem", () => {
    const names = evalJson<string[]>(
      withPrelude(`builtins.attrNames ${templateOutputs}.nixosConfigurations`),
    );
    expect(names).toEqual(["db-1", "web-1"]);
  });

  it.each(["web-1", "db-1"])(
    "%s evaluates through the NixFleet modules with no failed assertion or warning",
    (name) => {
      const host = evaluateHost(name);
      expect(host.recordedBy).toBe("nixosSystem");
      expect(host.checked).toBe(true);
      expect(host.warnings).toEqual([]);
    },
  );

  it("web-1 renders a valid agent configuration with its tags and both health checks", () => {
    const agent = validate<AgentConfig>(
      "agent-config",
      JSON.parse(evaluateHost("web-1").agentJson),
      "web-1 agent.json",
    );
    expect(agent.machineId).toBe("web-1");
    expect(agent.tags).toEqual(["web", "canary"]);
    expect(agent.tls).toEqual({
      cert: "/var/lib/nixfleet-agent/tls/agent.crt",
      key: "/var/lib/nixfleet-agent/tls/agent.key",
      ca: "/var/lib/nixfleet-agent/tls/ca.crt",
    });
    // The module system concatenates the lists of hosts/common.nix and hosts/web-1.nix.
    expect(agent.healthChecks?.map((c) => c.name)).toEqual(["sshd", "web"]);
  });

  it("db-1's facts are valid and carry its exception, which policy.json waives for db-1 only", () => {
    const facts = validate<Facts>("facts", JSON.parse(evaluateHost("db-1").factsJson), "db-1 facts.json");
    expect(facts.nixfleet.meta).toMatchObject({ hostName: "db-1", system: "x86_64-linux", tags: ["db"] });
    // Facts mirror the config, so nixfleet.compliance is an open member of the facts schema.
    const compliance = facts.nixfleet.compliance as {
      exceptions: { control: string }[];
      frameworks: string[];
    };
    expect(compliance.exceptions.map((e) => e.control)).toEqual(["boot-loader-protected"]);

    const policy = validate<Policy>(
      "policy",
      JSON.parse(readFileSync(join(repoRoot, "templates/default/policy.json"), "utf8")),
      "templates/default/policy.json",
    );
    expect(policy.frameworks).toEqual(compliance.frameworks);
    expect(policy.waivers?.find((w) => w.controlId === "boot-loader-protected")?.hosts).toEqual(["db-1"]);
  });

  it("the governance gate lets a rollout of both hosts through: every control the policy selects passes or is waived", () => {
    const policy = validate<Policy>(
      "policy",
      JSON.parse(readFileSync(join(repoRoot, "templates/default/policy.json"), "utf8")),
      "templates/default/policy.json",
    );
    // What `nixfleet compliance-check` adds to the module's facts at check time: when the facts were
    // collected and how old flake.lock is (neither can be known inside a pure evaluation).
    const now = "2026-11-25T12:00:00Z";
    const controls = selectControls({
      frameworks: policy.frameworks ?? [],
      level: policy.anssiLevel,
      entity: policy.nis2Entity,
    });
    const targets = [
      { host: "web-1", tags: ["web", "canary"], environment: "production" },
      { host: "db-1", tags: ["db"], environment: "production" },
    ];
    const results = targets.flatMap(({ host }) => {
      const facts = JSON.parse(evaluateHost(host).factsJson) as Facts;
      facts.nixfleet.meta = { ...facts.nixfleet.meta, collectedAt: now, lockAgeDays: 3 };
      return evaluateControls(host, validate<Facts>("facts", facts), controls);
    });
    const decision = decideGate({ policy, targets, results, now, phase: "pre-rollout" });
    expect(decision.reasons.filter((r) => r.blocking)).toEqual([]);
    expect(decision.decision).toBe("allow");
    // The waivers are what let it through, and each one is used.
    const waived = decision.reasons.filter((r) => r.why === "waived").map((r) => `${r.host}:${r.controlId}`);
    expect(waived.sort()).toEqual([
      "db-1:boot-loader-protected",
      "db-1:mfa-pam",
      "db-1:secure-boot",
      "web-1:mfa-pam",
      "web-1:secure-boot",
    ]);
  });

  it("`nixfleet compliance-check` (the real CLI) passes both hosts under policy.json, as step 1 of the README says", () => {
    // The nixpkgs of a freshly locked fleet: updated three days ago (mkHost reads the input's lastModified).
    const lastModified = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const fleet = evalJson<Record<string, Facts>>(
      withPrelude(`let
        outputs = (import ${repoPath("templates/default/flake.nix")}).outputs {
          self = outputs; nixpkgs = recordingNixpkgs // { lastModified = ${lastModified}; }; nixfleet = flakeOutputs;
        };
        factsOf = host: (standinEval.evalModules {
          pkgs = standinPkgs;
          modules = outputs.nixosConfigurations.\${host}.args.modules ++ [ (standinPkgs.hostBase "x86_64-linux") ];
        }).config.nixfleet.compliance.facts;
      in { web-1 = factsOf "web-1"; db-1 = factsOf "db-1"; }`),
    );
    expect(fleet["web-1"]?.nixfleet.meta).toMatchObject({ lockLastModified: lastModified });
    const dir = mkdtempSync(join(tmpdir(), "nixfleet-template-"));
    const factsFile = join(dir, "fleet.json");
    writeFileSync(factsFile, JSON.stringify(fleet));
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "cli/main.ts",
        "compliance-check",
        "--facts",
        factsFile,
        "--policy",
        "templates/default/policy.json",
        "--json",
      ],
      { cwd: repoRoot, encoding: "utf8", env: process.env },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      decision: { decision: string; counts: { fail: number; waived: number } };
    };
    expect(report.decision.decision).toBe("allow");
    expect(report.decision.counts.fail).toBe(0);
  });
});
