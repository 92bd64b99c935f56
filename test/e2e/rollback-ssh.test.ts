/**
 * `nixfleet rollback --ssh` against a real sshd on loopback: back one generation, to an explicit generation,
 * a generation that does not exist, and a rollback whose health checks fail. Hosts given as a YAML file too.
 */
import { readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshDeployResult } from "../../schemas/generated/ssh-deploy-result.js";
import { validate } from "../../schemas/registry.js";
import { parseJson, runCli } from "../harness/cli.js";
import {
  buildTestSystem,
  installInitialSystem,
  makeTestHost,
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

/** A host on generation 3 (v1 → v2 → v3), the last two put there by `nixfleet deploy --ssh`. */
async function hostOnThirdGeneration(name: string): Promise<{ host: TestHost; paths: string[] }> {
  const host = makeTestHost(tempDir(`nixfleet-rb-${name}-`));
  const paths = ["v1", "v2", "v3"].map((tag) => buildTestSystem(host, tag));
  installInitialSystem(host, paths[0]!);
  for (const path of paths.slice(1)) {
    const deployed = await runCli([
      "deploy",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--path",
      path,
    ]);
    expect(deployed.code, deployed.stderr).toBe(0);
  }
  expect(profileGenerations(host.profile).find((g) => g.current)?.generation).toBe(3);
  return { host, paths };
}

function result(finished: { code: number | null; stdout: string; stderr: string }): SshDeployResult {
  return validate<SshDeployResult>("ssh-deploy-result", parseJson(finished), "rollback --json");
}

describe("nixfleet rollback --ssh", () => {
  it("goes back one generation and activates it", async () => {
    const { host, paths } = await hostOnThirdGeneration("one");
    const finished = await runCli([
      "rollback",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--json",
    ]);
    expect(finished.code, finished.stderr).toBe(0);
    const h = result(finished).hosts[0]!;
    expect(h).toMatchObject({
      status: "rolled-back",
      generation: 2,
      previousGeneration: 3,
      storePath: paths[1],
    });
    expect(realpathSync(host.profile)).toBe(paths[1]);
    expect(readlinkSync(host.currentLink)).toBe(paths[1]);
    expect(readFileSync(host.marker, "utf8").trim().split("\n").pop()).toMatch(/v2-.* switch$/);
  });

  it("switches to --generation N, from a YAML hosts file", async () => {
    const { host, paths } = await hostOnThirdGeneration("gen");
    const hostsFile = join(tempDir(), "hosts.yaml");
    writeFileSync(
      hostsFile,
      [
        "defaults:",
        `  identity: ${sshd.identity}`,
        `  knownHosts: ${sshd.knownHosts}`,
        "hosts:",
        `  - ssh: ${sshd.target}`,
        "    name: db-01",
        `    profile: ${host.profile}`,
        "    healthChecks:",
        "      - name: system-health",
        "        kind: command",
        `        command: ["${join(host.currentLink, "bin", "health")}"]`,
        "",
      ].join("\n"),
    );
    const finished = await runCli(["rollback", "--hosts", hostsFile, "--generation", "1", "--json"]);
    expect(finished.code, finished.stderr).toBe(0);
    const h = result(finished).hosts[0]!;
    expect(h).toMatchObject({
      host: "db-01",
      status: "rolled-back",
      generation: 1,
      storePath: paths[0],
      healthVerdict: "passed",
    });
    expect(readlinkSync(host.currentLink)).toBe(paths[0]);
    expect(profileGenerations(host.profile).find((g) => g.current)?.generation).toBe(1);
    // the later generations are still there to go forward again
    expect(profileGenerations(host.profile).map((g) => g.generation)).toEqual([1, 2, 3]);
  });

  it("fails with a clear message for a generation that does not exist, and changes nothing", async () => {
    const { host, paths } = await hostOnThirdGeneration("missing");
    const finished = await runCli([
      "rollback",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--generation",
      "42",
      "--json",
    ]);
    expect(finished.code).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("failed");
    expect(h.message).toMatch(/switching to generation 42/);
    expect(readlinkSync(host.currentLink)).toBe(paths[2]);
    expect(profileGenerations(host.profile).find((g) => g.current)?.generation).toBe(3);
  });

  it("reports failure when the generation it returns to is unhealthy", async () => {
    const host = makeTestHost(tempDir("nixfleet-rb-unhealthy-"));
    const oldBroken = buildTestSystem(host, "v1-broken", "unhealthy");
    const current = buildTestSystem(host, "v2");
    installInitialSystem(host, oldBroken);
    const checks = join(host.dir, "checks.json");
    writeFileSync(
      checks,
      JSON.stringify([
        {
          name: "system-health",
          kind: "command",
          command: [join(host.currentLink, "bin", "health")],
          retries: 0,
          failureThreshold: 1,
        },
      ]),
    );
    const deployed = await runCli([
      "deploy",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--path",
      current,
    ]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const finished = await runCli([
      "rollback",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--health-checks",
      checks,
      "--json",
    ]);
    expect(finished.code).toBe(1);
    const h = result(finished).hosts[0]!;
    expect(h.status).toBe("failed");
    expect(h.healthVerdict).toBe("failed");
    expect(h.message).toMatch(
      /health checks failed after the rollback: system-health: .*unhealthy on purpose/,
    );
    expect(readlinkSync(host.currentLink)).toBe(oldBroken);
  });

  it("rejects --generation that is not a positive integer", async () => {
    const finished = await runCli(["rollback", "--ssh", "root@example", "--generation", "last"]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain('--generation must be a positive integer, got "last"');
  });
});
