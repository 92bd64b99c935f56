/**
 * `nixfleet deploy --ssh` against a real sshd on loopback, with real Nix: nix copy over ssh, nix-env on a
 * temporary profile, activation of test systems built with nix-build, health checks over ssh and from the
 * deployer, rollback on failure, several hosts in parallel, and bad input.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshDeployResult } from "../../schemas/generated/ssh-deploy-result.js";
import { validate } from "../../schemas/registry.js";
import { parseJson, runCli } from "../harness/cli.js";
import {
  buildTestSystem,
  currentSystem,
  installInitialSystem,
  makeTestHost,
  nixEnv,
  profileGenerations,
  type TestHost,
} from "../harness/nix.js";
import { startSshd, type TestSshd } from "../harness/sshd.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

let sshd: TestSshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(cleanupAll);

/** A host with its health check: the current system's bin/health, run on the host over ssh. */
function hostWithChecks(name: string): { host: TestHost; checksFile: string } {
  const host = makeTestHost(tempDir(`nixfleet-ssh-${name}-`));
  const checksFile = join(host.dir, "health.json");
  writeFileSync(
    checksFile,
    JSON.stringify([
      {
        name: "system-health",
        kind: "command",
        command: [join(host.currentLink, "bin", "health")],
        retries: 1,
        intervalMs: 100,
        failureThreshold: 2,
      },
      { name: "sshd-port", kind: "tcp", host: "127.0.0.1", port: sshd.port, retries: 0 },
    ]),
  );
  return { host, checksFile };
}

function deployArgs(host: TestHost, checksFile: string, extra: string[]): string[] {
  return [
    "deploy",
    "--ssh",
    sshd.target,
    ...sshd.cliFlags,
    "--profile",
    host.profile,
    "--health-checks",
    checksFile,
    "--json",
    ...extra,
  ];
}

function result(finished: { code: number | null; stdout: string; stderr: string }): SshDeployResult {
  return validate<SshDeployResult>("ssh-deploy-result", parseJson(finished), "deploy --json");
}

describe("nixfleet deploy --ssh", () => {
  it("copies, switches and checks a healthy system; the profile gains a generation", async () => {
    const { host, checksFile } = hostWithChecks("good");
    const v1 = buildTestSystem(host, "v1");
    installInitialSystem(host, v1);
    const v2 = buildTestSystem(host, "v2");

    const finished = await runCli(deployArgs(host, checksFile, ["--path", v2]));
    const out = result(finished);
    expect(finished.code, finished.stderr).toBe(0);
    expect(out.summary).toEqual({ total: 1, deployed: 1, rolledBack: 0, failed: 0 });
    const h = out.hosts[0]!;
    expect(h).toMatchObject({
      status: "deployed",
      storePath: v2,
      generation: 2,
      previousGeneration: 1,
      previousStorePath: v1,
    });
    expect(h.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      "resolve:ok",
      "copy:ok",
      "inspect:ok",
      "set-profile:ok",
      "activate:ok",
      "health:ok",
    ]);
    expect(h.healthVerdict).toBe("passed");
    expect(h.healthChecks.map((c) => [c.name, c.kind, c.status])).toEqual([
      ["system-health", "command", "pass"],
      ["sshd-port", "tcp", "pass"],
    ]);
    // The host really is on v2: profile, current-system link and the activation marker agree.
    expect(realpathSync(host.profile)).toBe(v2);
    expect(readlinkSync(host.currentLink)).toBe(v2);
    expect(profileGenerations(host.profile)).toEqual([
      { generation: 1, current: false },
      { generation: 2, current: true },
    ]);
    expect(readFileSync(host.marker, "utf8")).toMatch(/v1-.* boot\n.*v2-.* switch\n$/);
    // sshd saw the deployer log in with the generated key.
    expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
  });

  it("rolls back to the previous generation when a health check fails", async () => {
    const { host, checksFile } = hostWithChecks("unhealthy");
    const v1 = buildTestSystem(host, "v1");
    installInitialSystem(host, v1);
    const broken = buildTestSystem(host, "v2-broken", "unhealthy");

    const finished = await runCli(deployArgs(host, checksFile, ["--path", broken]));
    expect(finished.code, finished.stderr).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("rolled-back");
    expect(h.generation).toBe(1);
    expect(h.healthVerdict).toBe("failed");
    const failed = h.healthChecks.find((c) => c.name === "system-health")!;
    expect(failed.status).toBe("fail");
    expect(failed.message).toContain("is unhealthy on purpose");
    expect(h.message).toMatch(/health checks failed: system-health.*rolled back to generation 1/);
    expect(h.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      "resolve:ok",
      "copy:ok",
      "inspect:ok",
      "set-profile:ok",
      "activate:ok",
      "health:failed",
      "rollback:ok",
    ]);
    expect(realpathSync(host.profile)).toBe(v1);
    expect(readlinkSync(host.currentLink)).toBe(v1);
    expect(profileGenerations(host.profile).find((g) => g.current)?.generation).toBe(1);
    // activated broken, then v1 again
    const lines = readFileSync(host.marker, "utf8").trim().split("\n");
    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(/v2-broken.* switch$/),
      expect.stringMatching(/v1-.* switch$/),
    ]);
  });

  it("rolls back when activation fails", async () => {
    const { host, checksFile } = hostWithChecks("badact");
    const v1 = buildTestSystem(host, "v1");
    installInitialSystem(host, v1);
    const bad = buildTestSystem(host, "v2-badact", "bad-activation");

    const finished = await runCli(deployArgs(host, checksFile, ["--path", bad]));
    expect(finished.code).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("rolled-back");
    expect(h.message).toContain("failed on purpose");
    expect(h.steps.map((s) => `${s.step}:${s.status}`)).toContain("activate:failed");
    expect(h.steps.some((s) => s.step === "health")).toBe(false);
    expect(realpathSync(host.profile)).toBe(v1);
    expect(readlinkSync(host.currentLink)).toBe(v1);
  });

  it("reports failure without rollback when there is no previous generation", async () => {
    const { host, checksFile } = hostWithChecks("first");
    const broken = buildTestSystem(host, "first-broken", "unhealthy");
    const finished = await runCli(deployArgs(host, checksFile, ["--path", broken]));
    expect(finished.code).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("failed");
    expect(h.previousGeneration).toBeNull();
    expect(h.message).toContain("no previous generation");
    expect(h.steps.find((s) => s.step === "rollback")?.status).toBe("skipped");
  });

  it("builds a flake host and runs the health checks the flake declares", async () => {
    const host = makeTestHost(tempDir("nixfleet-ssh-flake-"));
    const v1 = buildTestSystem(host, "v1");
    installInitialSystem(host, v1);
    const flakeDir = tempDir("nixfleet-flake-");
    // A flake without inputs (no nixpkgs here): toplevel is a plain derivation, health checks as the agent
    // module would declare them. Pure evaluation only reads files inside the flake, so system.nix goes there.
    writeFileSync(join(flakeDir, "system.nix"), readFileSync(join(host.dir, "system.nix")));
    writeFileSync(
      join(flakeDir, "flake.nix"),
      `{
  outputs = { self }: {
    nixosConfigurations.web = {
      config.system.build.toplevel = import ./system.nix {
        tag = "flake-web"; system = "${currentSystem()}"; link = "${host.currentLink}"; marker = "${host.marker}";
      };
      config.services.nixfleet-agent.healthChecks = [
        { name = "flake-declared"; kind = "command"; command = [ "${join(host.currentLink, "bin", "health")}" ]; }
      ];
    };
  };
}
`,
    );
    const finished = await runCli(
      [
        "deploy",
        "--ssh",
        sshd.target,
        ...sshd.cliFlags,
        "--profile",
        host.profile,
        "--flake",
        `path:${flakeDir}#web`,
        "--json",
      ],
      { env: nixEnv() },
    );
    const h = result(finished).hosts[0]!;
    expect(h.status, h.message).toBe("deployed");
    expect(finished.code).toBe(0);
    expect(h.storePath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nixfleet-e2e-system-flake-web$/);
    expect(h.healthChecks.map((c) => [c.name, c.status])).toEqual([["flake-declared", "pass"]]);
    expect(readlinkSync(host.currentLink)).toBe(h.storePath);
  });

  it("deploys several hosts from a hosts file in parallel; one unhealthy host rolls back alone", async () => {
    const a = hostWithChecks("par-a");
    const b = hostWithChecks("par-b");
    const c = hostWithChecks("par-c");
    for (const x of [a, b, c]) installInitialSystem(x.host, buildTestSystem(x.host, "v1"));
    const pathA = buildTestSystem(a.host, "v2");
    const pathB = buildTestSystem(b.host, "v2-bad", "unhealthy");
    const pathC = buildTestSystem(c.host, "v2");
    // Each activation waits at a barrier until all three hosts are activating: it only passes when the hosts
    // really run at the same time (with --parallel 1 the first would give up and fail).
    const barrier = tempDir("nixfleet-barrier-");
    const activate = (name: string) =>
      `touch ${barrier}/${name}; i=0; while [ "$(ls ${barrier} | wc -l)" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ` +
      `[ "$(ls ${barrier} | wc -l)" -ge 3 ] && {path}/bin/switch-to-configuration switch`;
    const entry = (name: string, x: { host: TestHost; checksFile: string }, path: string) => ({
      ssh: sshd.target,
      name,
      path,
      profile: x.host.profile,
      activate: activate(name),
      healthChecks: JSON.parse(readFileSync(x.checksFile, "utf8")),
    });
    const hostsFile = join(tempDir(), "hosts.json");
    writeFileSync(
      hostsFile,
      JSON.stringify({
        defaults: { identity: sshd.identity, knownHosts: sshd.knownHosts, healthTimeoutMs: 30000 },
        hosts: [entry("web-a", a, pathA), entry("web-b", b, pathB), entry("web-c", c, pathC)],
      }),
    );
    const finished = await runCli(["deploy", "--hosts", hostsFile, "--parallel", "3", "--json"]);
    expect(finished.code).toBe(1);
    const out = result(finished);
    expect(out.summary).toEqual({ total: 3, deployed: 2, rolledBack: 1, failed: 0 });
    expect(out.hosts.map((h) => [h.host, h.status])).toEqual([
      ["web-a", "deployed"],
      ["web-b", "rolled-back"],
      ["web-c", "deployed"],
    ]);
    expect(readlinkSync(a.host.currentLink)).toBe(pathA);
    expect(readlinkSync(c.host.currentLink)).toBe(pathC);
    expect(readlinkSync(b.host.currentLink)).not.toBe(pathB);
    expect(readdirSync(barrier).sort()).toEqual(["web-a", "web-b", "web-c"]);
  });

  it("prints a table for people and fails the host it cannot reach", async () => {
    const { host, checksFile } = hostWithChecks("unreachable");
    const v1 = buildTestSystem(host, "v1");
    const wrongKey = join(tempDir(), "other_key");
    // a key the server does not know: ssh authentication fails, so does the copy
    const { execFileSync } = await import("node:child_process");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", wrongKey]);
    const finished = await runCli([
      "deploy",
      "--ssh",
      sshd.target,
      "--identity",
      wrongKey,
      "--known-hosts",
      sshd.knownHosts,
      "--profile",
      host.profile,
      "--health-checks",
      checksFile,
      "--path",
      v1,
    ]);
    expect(finished.code).toBe(1);
    expect(finished.stdout).toMatch(/^HOST\s+TARGET\s+STATUS\s+GEN\s+MESSAGE$/m);
    expect(finished.stdout).toMatch(/127\.0\.0\.1\s+\S+\s+failed\s+-\s+copying the closure/);
    expect(finished.stdout).toContain("1 host(s): 0 deployed, 0 rolled back, 1 failed");
    expect(finished.stderr).toMatch(/\[127\.0\.0\.1\] copy: failed/);
    expect(existsSync(host.profile)).toBe(false);
  });
});

describe("nixfleet deploy: bad input exits 2 with a message", () => {
  it("rejects a target that is not USER@HOST", async () => {
    const finished = await runCli(["deploy", "--ssh", "no-user-here", "--path", "/nix/store/x"]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain('"no-user-here" is not USER@HOST');
  });

  it("names the hosts file and JSON path of a bad entry", async () => {
    const file = join(tempDir(), "hosts.json");
    writeFileSync(file, JSON.stringify({ hosts: [{ ssh: "root@a", port: "twenty-two" }] }));
    const finished = await runCli(["deploy", "--hosts", file, "--path", "/nix/store/x"]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain(file);
    expect(finished.stderr).toContain("/hosts/0/port");
  });

  it("needs something to deploy", async () => {
    const finished = await runCli(["deploy", "--ssh", "root@example"]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain("nothing to deploy");
  });

  it("refuses a store path that is not in the local store", async () => {
    const finished = await runCli([
      "deploy",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--path",
      "/nix/store/00000000000000000000000000000000-missing",
      "--json",
    ]);
    expect(finished.code).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("failed");
    expect(h.message).toContain("is not a valid path in the local Nix store");
    expect(h.steps.map((s) => `${s.step}:${s.status}`)).toEqual(["resolve:failed"]);
  });
});
