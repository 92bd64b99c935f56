/**
 * The control plane as its own process with real TLS, and agents as their own processes with mTLS
 * certificates from `nixfleet ca issue`: bootstrap of the first admin token, who may do what, agent identity
 * at the TLS layer, an agent started before the control plane, an agent applying a generation with real Nix, and
 * a control plane with a dedicated agent listener (`--agent-listen`) whose TLS handshake refuses an agent without a
 * certificate.
 */
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgent } from "../harness/agent.js";
import { runCli, spawnCli } from "../harness/cli.js";
import { httpsJson, startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { buildTestSystem, installInitialSystem, nixEnv } from "../harness/nix.js";
import { eventually, type Managed } from "../harness/processes.js";
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

/** A raw TLS connection to `port` with or without a client certificate: how far did it get? */
function tlsProbe(
  port: number,
  caCert: string,
  client?: { cert: string; key: string },
): Promise<{ secureConnected: boolean; httpAnswer: boolean; code: string | null }> {
  return new Promise((resolve) => {
    let secureConnected = false;
    let httpAnswer = false;
    const socket = connect({
      host: "127.0.0.1",
      port,
      ca: readFileSync(caCert),
      ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
    });
    socket.setTimeout(15_000, () =>
      socket.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    socket.once("secureConnect", () => {
      secureConnected = true;
      // TLS 1.3 judges the client's certificate after the client's Finished: ask, and see what comes back.
      socket.write("GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    });
    socket.on("data", (d: Buffer) => {
      if (d.toString().startsWith("HTTP/1.1 ")) httpAnswer = true;
    });
    socket.once("error", (err: NodeJS.ErrnoException) =>
      resolve({ secureConnected, httpAnswer, code: err.code ?? "unknown" }),
    );
    socket.once("close", () => resolve({ secureConnected, httpAnswer, code: null }));
  });
}

describe("a control plane with a dedicated agent listener (--agent-listen)", () => {
  let split: TestControlPlane;
  const running: Managed[] = [];

  beforeAll(async () => {
    split = await startControlPlane({ agentListen: true });
  });
  afterAll(async () => {
    for (const proc of running) await proc.stop();
    await split?.stop();
  });

  it("refuses an agent process without a certificate at the TLS handshake; it never checks in", async () => {
    const agentUrl = split.agentUrl ?? "";
    expect(agentUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // the control plane announced both ports
    expect(split.process.stdout()).toContain(`"agentUrl":"${agentUrl}"`);
    expect((await split.api("POST", "/api/v1/machines", { id: "bare-01" })).status).toBe(201);
    // a valid machine token for bare-01, but no client certificate: the agent listener needs the certificate
    const token = await split.api<{ token: string }>("POST", "/api/v1/tokens", {
      role: "agent",
      machineId: "bare-01",
    });
    expect(token.status, token.text).toBe(201);
    const bare = makeAgent({ url: agentUrl, caCert: split.caCert }, "bare-01", null, {
      token: token.body.token,
    });
    installInitialSystem(bare.host, buildTestSystem(bare.host, "v1"));
    // It trusts the control plane's CA the way an agent without a client certificate would: through the system's
    // trust store (here NODE_EXTRA_CA_CERTS), so the server's certificate is not what fails.
    const proc = spawnCli("agent bare-01", ["agent", "--config", bare.configFile], {
      env: nixEnv({ NODE_EXTRA_CA_CERTS: split.caCert }),
    });
    running.push(proc);
    // the agent's own log says why: the TLS layer refused it (an alert, or the connection cut), not an HTTP status
    const refused = await proc.waitFor(
      /"err":"[^"\n]*(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET|EPIPE)[^"\n]*","msg":"cannot reach the control plane"/,
      60_000,
    );
    expect(refused[0]).not.toMatch(/status \d{3}/);
    expect(proc.running()).toBe(true);
    // and a direct TLS connection without a certificate never gets an HTTP answer
    const probe = await tlsProbe(split.agentPort ?? 0, split.caCert);
    expect(probe.httpAnswer).toBe(false);
    expect(["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ECONNRESET", "EPIPE"]).toContain(probe.code);
    // nothing reached the control plane for bare-01
    const machine = await split.api<MachineView>("GET", "/api/v1/machines/bare-01");
    expect(machine.body.lastSeenAt ?? null).toBeNull();
    const reports = await split.api<{ items: unknown[] }>("GET", "/api/v1/machines/bare-01/reports");
    expect(reports.body.items).toEqual([]);
    await proc.stop();
  }, 120_000);

  it("an agent process with a certificate checks in on the agent port, applies a generation with real Nix and reports", async () => {
    const agentUrl = split.agentUrl ?? "";
    expect((await split.api("POST", "/api/v1/machines", { id: "port-01", tags: ["role:web"] })).status).toBe(
      201,
    );
    const cert = await split.issueAgentCert("port-01");
    // the handshake completes for the certificate, and the people port does not serve agents any more
    const probe = await tlsProbe(split.agentPort ?? 0, split.caCert, cert);
    expect(probe).toMatchObject({ secureConnected: true, httpAnswer: true });
    const onPeoplePort = await httpsJson<{ detail: string }>(`${split.url}/api/v1/agents/port-01/desired`, {
      ca: split.caCert,
      clientCert: cert,
    });
    expect(onPeoplePort.status).toBe(404);
    expect(onPeoplePort.body.detail).toContain(agentUrl);

    const agent = makeAgent({ url: agentUrl, caCert: split.caCert }, "port-01", cert);
    const v1 = buildTestSystem(agent.host, "v1");
    installInitialSystem(agent.host, v1);
    const v2 = buildTestSystem(agent.host, "v2");
    running.push(agent.start());
    await eventually(
      "port-01 to check in over the agent listener",
      async () => (await split.api<MachineView>("GET", "/api/v1/machines/port-01")).body.lastSeenAt,
      60_000,
      300,
    ).catch((err) => {
      throw new Error(`${err}\n--- agent\n${agent.process?.stderr().slice(-3000)}`);
    });
    const set = await split.api("PUT", "/api/v1/machines/port-01/desired", { storePath: v2 });
    expect(set.status, set.text).toBe(200);
    await eventually(
      "a confirmed report from port-01",
      async () => {
        const page = await split.api<{ items: { state: string; storePath?: string }[] }>(
          "GET",
          "/api/v1/machines/port-01/reports",
        );
        return page.body.items.some((r) => r.state === "confirmed" && r.storePath === v2);
      },
      90_000,
      300,
    ).catch((err) => {
      throw new Error(`${err}\n--- agent\n${agent.process?.stderr().slice(-3000)}`);
    });
    expect(realpathSync(agent.host.profile)).toBe(v2);
    expect((await split.api<MachineView>("GET", "/api/v1/machines/port-01")).body.currentStorePath).toBe(v2);
    // its runtime evidence came in over the same port
    const evidence = await split.api<{ items: unknown[] }>("GET", "/api/v1/evidence?machine=port-01");
    expect(evidence.body.items.length).toBeGreaterThan(0);
    // the control plane counted the agent port's requests and refused handshakes separately
    const metrics = await split.api("GET", "/metrics");
    expect(metrics.text).toMatch(/nixfleet_listener_requests_total\{listener="agent"\} [1-9]/);
    expect(metrics.text).toMatch(
      /nixfleet_tls_handshake_failures_total\{listener="agent",code="[A-Z0-9_]+"\} [1-9]/,
    );
  }, 180_000);
});
