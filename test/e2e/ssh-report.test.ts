/**
 * `nixfleet deploy --ssh --report-to`: a direct deploy over a real sshd tells a real control plane (HTTPS, its
 * own CA) what the host now runs, as the host's desired generation, and the audit trail records who did it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshDeployResult } from "../../schemas/generated/ssh-deploy-result.js";
import { parseJson, runCli } from "../harness/cli.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { buildTestSystem, installInitialSystem, makeTestHost } from "../harness/nix.js";
import { startSshd, type TestSshd } from "../harness/sshd.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

let sshd: TestSshd;
let plane: TestControlPlane;

beforeAll(async () => {
  [sshd, plane] = await Promise.all([startSshd(), startControlPlane()]);
});
afterAll(cleanupAll);

describe("deploy --ssh --report-to", () => {
  it("sets the desired generation of a deployed host and of a rolled-back one", async () => {
    const operator = await plane.createToken("operator", "ssh deployer");
    for (const id of ["ssh-web", "ssh-db"])
      expect((await plane.api("POST", "/api/v1/machines", { id })).status).toBe(201);
    const web = makeTestHost(tempDir("nixfleet-report-web-"));
    const db = makeTestHost(tempDir("nixfleet-report-db-"));
    const webV1 = buildTestSystem(web, "v1");
    const dbV1 = buildTestSystem(db, "v1");
    installInitialSystem(web, webV1);
    installInitialSystem(db, dbV1);
    const webV2 = buildTestSystem(web, "v2");
    const dbBroken = buildTestSystem(db, "v2-broken", "unhealthy");
    const check = (currentLink: string) => [
      {
        name: "system-health",
        kind: "command",
        command: [join(currentLink, "bin", "health")],
        retries: 0,
        failureThreshold: 1,
      },
    ];
    const hostsFile = join(tempDir(), "hosts.json");
    writeFileSync(
      hostsFile,
      JSON.stringify({
        defaults: { identity: sshd.identity, knownHosts: sshd.knownHosts },
        hosts: [
          {
            ssh: sshd.target,
            name: "ssh-web",
            path: webV2,
            profile: web.profile,
            healthChecks: check(web.currentLink),
          },
          {
            ssh: sshd.target,
            name: "ssh-db",
            path: dbBroken,
            profile: db.profile,
            healthChecks: check(db.currentLink),
          },
        ],
      }),
    );
    const finished = await runCli([
      "deploy",
      "--hosts",
      hostsFile,
      "--report-to",
      plane.url,
      "--token",
      operator,
      "--ca",
      plane.caCert,
      "--json",
    ]);
    expect(finished.code).toBe(1); // ssh-db rolled back
    const out = parseJson<SshDeployResult>(finished);
    const byName = Object.fromEntries(out.hosts.map((h) => [h.host, h]));
    expect(byName["ssh-web"]?.reported).toMatchObject({ ok: true, status: 200 });
    expect(byName["ssh-db"]?.status).toBe("rolled-back");
    expect(byName["ssh-db"]?.reported).toMatchObject({ ok: true });
    expect(byName["ssh-web"]?.steps.at(-1)).toMatchObject({ step: "report", status: "ok" });

    // the control plane now wants what each host really runs
    const webDesired = await plane.api<{ storePath: string }>("GET", "/api/v1/machines/ssh-web/desired");
    expect(webDesired.body.storePath).toBe(webV2);
    const dbDesired = await plane.api<{ storePath: string }>("GET", "/api/v1/machines/ssh-db/desired");
    expect(dbDesired.body.storePath).toBe(dbV1);
    // and its audit trail says the operator token did it
    const audit = await plane.api<{ items: { action: string; target?: { id?: string }; actor?: unknown }[] }>(
      "GET",
      "/api/v1/audit?action=desired-generation.set&limit=10",
    );
    expect(audit.body.items.map((e) => e.action)).toEqual([
      "desired-generation.set",
      "desired-generation.set",
    ]);
  });

  it("records a refused report and exits 1 even when the deploy itself worked", async () => {
    const host = makeTestHost(tempDir("nixfleet-report-unknown-"));
    installInitialSystem(host, buildTestSystem(host, "v1"));
    const v2 = buildTestSystem(host, "v2");
    const auditor = await plane.createToken("auditor");
    const finished = await runCli([
      "deploy",
      "--ssh",
      sshd.target,
      ...sshd.cliFlags,
      "--profile",
      host.profile,
      "--path",
      v2,
      "--report-to",
      plane.url,
      "--token",
      auditor,
      "--ca",
      plane.caCert,
      "--json",
    ]);
    expect(finished.code).toBe(1);
    const h = parseJson<SshDeployResult>(finished).hosts[0]!;
    expect(h.status).toBe("deployed");
    expect(h.reported).toMatchObject({ ok: false, status: 403 });
    expect(finished.stderr).toContain("the control plane was not told about 127.0.0.1");
  });
});
