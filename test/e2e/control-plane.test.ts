/**
 * The control plane as its own process with real TLS, and agents as their own processes with mTLS
 * certificates from `nixfleet ca issue`: bootstrap of the first admin token, who may do what, agent identity
 * at the TLS layer, an agent started before the control plane, and an agent applying a generation with real Nix.
 */
import { readlinkSync, realpathSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../harness/agent.js";
import { runCli } from "../harness/cli.js";
import { httpsJson, startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { buildTestSystem, installInitialSystem } from "../harness/nix.js";
import { eventually } from "../harness/processes.js";
import { cleanupAll } from "../harness/temp.js";

let plane: TestControlPlane;

beforeAll(async () => {
  plane = await startControlPlane();
});
afterAll(cleanupAll);

interface MachineView {
  id: string;
  lifecycle: string;
  tags: string[];
  currentStorePath?: string | null;
  lastSeenAt?: string | null;
}

async function registerMachine(id: string, tags: string[] = []): Promise<void> {
  const created = await plane.api("POST", "/api/v1/machines", { id, tags });
  expect(created.status, created.text).toBe(201);
}

describe("bootstrap of the first admin token", () => {
  it("the offline admin token from `token create --db` works over HTTPS and mints other roles", async () => {
    // no credentials at all: refused, with problem+json
    const anonymous = await httpsJson<{ status: number; title: string }>(`${plane.url}/api/v1/machines`, {
      ca: plane.caCert,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.title).toBe("Unauthorized");
    const list = await plane.api<{ items: unknown[] }>("GET", "/api/v1/machines");
    expect(list.status).toBe(200);

    const auditor = await plane.createToken("auditor");
    const operator = await plane.createToken("operator");
    expect(auditor).toMatch(/^nft_/);
    // the auditor reads but cannot change anything
    expect((await plane.api("GET", "/api/v1/machines", undefined, auditor)).status).toBe(200);
    const refused = await plane.api("POST", "/api/v1/machines", { id: "by-auditor" }, auditor);
    expect(refused.status).toBe(403);
    expect((await plane.api("GET", "/api/v1/machines/by-auditor")).status).toBe(404);
    // the operator can register
    expect((await plane.api("POST", "/api/v1/machines", { id: "by-operator" }, operator)).status).toBe(201);
    // a wrong token is refused like none
    expect((await plane.api("GET", "/api/v1/machines", undefined, "nft_not-a-real-token")).status).toBe(401);

    // every one of those mutations is in the audit trail, whose chain verifies offline
    const verify = await runCli(["audit", "verify", "--db", plane.db, "--json"]);
    expect(verify.code, verify.stderr).toBe(0);
    const events = await plane.api<{ items: { action: string }[] }>("GET", "/api/v1/audit?limit=100");
    const actions = events.body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["token.create", "machine.register"]));
  });
});

describe("agent identity is the TLS client certificate", () => {
  it("serves an agent its own machine, refuses no certificate, another machine's, and a foreign CA's", async () => {
    await registerMachine("id-a");
    await registerMachine("id-b");
    const certA = await plane.issueAgentCert("id-a");
    const desired = (machine: string, clientCert?: { cert: string; key: string }) =>
      httpsJson<{ status: number; detail?: string }>(`${plane.url}/api/v1/agents/${machine}/desired`, {
        ca: plane.caCert,
        ...(clientCert ? { clientCert } : {}),
      });
    expect((await desired("id-a", certA)).status).toBe(200);
    expect((await desired("id-a")).status).toBe(401);
    const other = await desired("id-b", certA);
    expect(other.status).toBe(403);
    // a certificate for id-a from a CA the server does not trust identifies nobody
    const foreignCa = `${plane.dir}/foreign-ca`;
    const init = await runCli(["ca", "init", "--dir", foreignCa, "--json"]);
    expect(init.code, init.stderr).toBe(0);
    const forged = await plane.issueAgentCert("id-a", foreignCa);
    expect((await desired("id-a", forged)).status).toBe(401);
    // revoked: `nixfleet ca revoke --machine` also records it in the control plane's database
    const revoke = await runCli([
      "ca",
      "revoke",
      "--dir",
      plane.caDir,
      "--db",
      plane.db,
      "--machine",
      "id-a",
      "--json",
    ]);
    expect(revoke.code, revoke.stderr).toBe(0);
    await eventually(
      "the revocation to reach the server",
      async () => (await desired("id-a", certA)).status === 401,
      90_000,
      500,
    );
  });
});

describe("agents as processes", () => {
  it("an agent started before the control plane keeps retrying and checks in once it is up", async () => {
    // a control plane that knows the machine, then goes away before the agent starts
    const late = await startControlPlane();
    expect((await late.api("POST", "/api/v1/machines", { id: "early-bird" })).status).toBe(201);
    const cert = await late.issueAgentCert("early-bird");
    await late.stop();
    const agent = makeAgent(late, "early-bird", cert);
    const v1 = buildTestSystem(agent.host, "v1");
    installInitialSystem(agent.host, v1);
    const proc = agent.start();
    await proc.waitFor(/cannot reach the control plane/, 30_000).catch((err) => {
      throw new Error(`${err}\n${proc.stderr()}`);
    });
    expect(proc.running()).toBe(true);
    const before = await late.api<MachineView>("GET", "/api/v1/machines/early-bird").catch(() => null);
    expect(before).toBeNull(); // nothing is listening yet
    await late.restart();
    expect((await late.api("GET", "/healthz")).status).toBe(200);
    const machine = await eventually(
      "the agent to check in",
      async () => {
        const m = await late.api<MachineView>("GET", "/api/v1/machines/early-bird");
        return m.body.lastSeenAt ? m.body : undefined;
      },
      60_000,
      300,
    ).catch((err) => {
      throw new Error(`${err}\n--- agent\n${proc.stderr().slice(-3000)}`);
    });
    // what it observed while the control plane was away was kept and delivered
    const evidence = await late.api<{ items: unknown[] }>("GET", "/api/v1/evidence?machine=early-bird");
    expect(evidence.status, evidence.text).toBe(200);
    expect(evidence.body.items.length).toBeGreaterThan(0);
    expect(machine.id).toBe("early-bird");
    await proc.stop();
  }, 120_000);

  it("an agent applies the desired generation with real Nix and confirms it", async () => {
    await registerMachine("apply-01", ["role:web"]);
    const agent = makeAgent(plane, "apply-01", await plane.issueAgentCert("apply-01"));
    const v1 = buildTestSystem(agent.host, "v1");
    installInitialSystem(agent.host, v1);
    const v2 = buildTestSystem(agent.host, "v2");
    agent.start();
    const set = await plane.api("PUT", "/api/v1/machines/apply-01/desired", { storePath: v2 });
    expect(set.status, set.text).toBe(200);
    const reports = await eventually(
      "a confirmed report",
      async () => {
        const page = await plane.api<{ items: { state: string; storePath?: string }[] }>(
          "GET",
          "/api/v1/machines/apply-01/reports",
        );
        return page.body.items.some((r) => r.state === "confirmed" && r.storePath === v2)
          ? page.body.items
          : undefined;
      },
      60_000,
      300,
    );
    expect(reports.map((r) => r.state)).toEqual(expect.arrayContaining(["confirmed"]));
    expect(realpathSync(agent.host.profile)).toBe(v2);
    expect(readlinkSync(agent.host.currentLink)).toBe(v2);
    const machine = await plane.api<MachineView>("GET", "/api/v1/machines/apply-01");
    expect(machine.body.currentStorePath).toBe(v2);
    await agent.process?.stop();
  });
});
