/** mTLS over real sockets: certificates made by `nixfleet ca`, a spawned `nixfleet server` with --client-ca. */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlPlaneClient } from "../../agent/client.js";
import type { ResolvedAgentConfig } from "../../agent/config.js";
import type { EvidenceBatch } from "../../schemas/generated/evidence-batch.js";
import { nixfleet, type SpawnedServer, spawnServer, tempDir } from "./cli-helpers.js";

interface Identity {
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

const dir = tempDir("nixfleet-mtls-");
const ca = join(dir, "ca");
const rogue = join(dir, "rogue");
const db = join(dir, "state.db");
let server: SpawnedServer;
let caCert: Buffer;
let admin = "";
const id = (file: string): Identity => ({
  cert: readFileSync(join(file, "..", `${file.split("/").pop()}.crt`)),
  key: readFileSync(`${file}.key`),
});

function call(
  path: string,
  who: Identity,
  method = "GET",
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${server.url}${path}`,
      {
        method,
        ca: caCert,
        agent: false,
        ...(who.cert ? { cert: who.cert, key: who.key } : {}),
        headers: {
          ...(who.token ? { authorization: `Bearer ${who.token}` } : {}),
          ...(payload ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  const run = async (args: string[]) => {
    const r = await nixfleet(args);
    if (r.code !== 0) throw new Error(`nixfleet ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await run(["ca", "init", "--dir", ca, "--json"]);
  await run(["ca", "issue", "--dir", ca, "--server", "--host", "127.0.0.1", "--host", "localhost", "--json"]);
  await run(["ca", "issue", "--dir", ca, "--machine", "web-a", "--json"]);
  await run(["ca", "issue", "--dir", ca, "--machine", "web-b", "--json"]);
  await run(["ca", "init", "--dir", rogue, "--name", "Rogue CA"]);
  await run(["ca", "issue", "--dir", rogue, "--machine", "web-a"]);
  admin = (
    JSON.parse(await run(["token", "create", "--db", db, "--role", "admin", "--json"])) as { token: string }
  ).token;
  caCert = readFileSync(join(ca, "ca.crt"));
  server = await spawnServer(
    [
      "--listen",
      "127.0.0.1:0",
      "--db",
      db,
      "--tls-cert",
      join(ca, "issued", "server.crt"),
      "--tls-key",
      join(ca, "issued", "server.key"),
      "--client-ca",
      join(ca, "ca.crt"),
    ],
    { NIXFLEET_CREDENTIAL_CACHE_TTL_MS: "100" },
  );
  for (const m of ["web-a", "web-b"]) {
    const r = await call("/api/v1/machines", { token: admin }, "POST", { id: m });
    if (r.status !== 201) throw new Error(r.body);
  }
}, 240_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

/** Every agent operation with a valid body for `machine`. */
const AGENT_ROUTES = (machine: string): [string, string, unknown][] => {
  const at = new Date().toISOString();
  return [
    ["GET", "desired", undefined],
    ["POST", "report", { machineId: machine, state: "idle", reportedAt: at }],
    ["POST", "confirm", { machineId: machine, storePath: `/nix/store/${"d".repeat(32)}-x` }],
    [
      "POST",
      "evidence",
      {
        machineId: machine,
        items: [
          {
            idempotencyKey: `k-${Date.now()}`,
            kind: "runtime-report",
            collectedAt: at,
            payload: { machineId: machine, collectedAt: at },
          },
        ],
      },
    ],
  ];
};

const agentA = () => id(join(ca, "issued", "web-a"));
const agentB = () => id(join(ca, "issued", "web-b"));

describe("mTLS for agents", () => {
  it("identifies the agent by its certificate and lets it read and write its own machine", async () => {
    const desired = await call("/api/v1/agents/web-a/desired", agentA());
    expect(desired.status).toBe(200);
    expect(JSON.parse(desired.body)).toMatchObject({ machineId: "web-a", storePath: null });
    const report = await call("/api/v1/agents/web-a/report", agentA(), "POST", {
      machineId: "web-a",
      state: "idle",
      reportedAt: new Date().toISOString(),
    });
    expect(report.status).toBe(202);
  });

  it("refuses machine A's certificate on every agent route of machine B (403)", async () => {
    for (const [method, suffix, body] of AGENT_ROUTES("web-b")) {
      const r = await call(`/api/v1/agents/web-b/${suffix}`, agentA(), method, body);
      expect(r.status, `${method} ${suffix}: ${r.body}`).toBe(403);
    }
  });

  it("refuses machine A's certificate on machine B (403), no certificate (401), another CA's certificate (401)", async () => {
    expect((await call("/api/v1/agents/web-b/desired", agentA())).status).toBe(403);
    expect(
      (
        await call("/api/v1/agents/web-b/report", agentA(), "POST", {
          machineId: "web-b",
          state: "idle",
          reportedAt: new Date().toISOString(),
        })
      ).status,
    ).toBe(403);
    expect((await call("/api/v1/agents/web-b/desired", agentB())).status).toBe(200);
    expect((await call("/api/v1/agents/web-a/desired", {})).status).toBe(401);
    expect((await call("/api/v1/agents/web-a/desired", id(join(rogue, "issued", "web-a")))).status).toBe(401);
  });

  it("does not let an agent certificate act as a person", async () => {
    expect((await call("/api/v1/machines", agentA())).status).toBe(403);
    expect((await call("/api/v1/machines", { token: admin })).status).toBe(200);
  });

  it("refuses a revoked certificate once `nixfleet ca revoke` has run", async () => {
    const r = await nixfleet(["ca", "revoke", "--dir", ca, "--machine", "web-b", "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    const refused = await call("/api/v1/agents/web-b/desired", agentB());
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).detail).toContain("revoked");
    for (const [method, suffix, body] of AGENT_ROUTES("web-b")) {
      const r = await call(`/api/v1/agents/web-b/${suffix}`, agentB(), method, body);
      expect(r.status, `${method} ${suffix}`).toBe(401);
    }
    expect((await call("/api/v1/agents/web-a/desired", agentA())).status).toBe(200);
    const audit = await call("/api/v1/audit?action=certificate.revoke", { token: admin });
    expect(JSON.parse(audit.body).items).toHaveLength(1);
  });
});

describe("the agent's own client (agent/client.ts) against this server over mTLS", () => {
  it("polls, reports, streams evidence and confirms", async () => {
    // The client reads only these fields; the rest of the agent configuration does not concern the wire.
    const config = {
      machineId: "web-a",
      controlPlaneUrl: server.url,
      tls: {
        cert: join(ca, "issued", "web-a.crt"),
        key: join(ca, "issued", "web-a.key"),
        ca: join(ca, "ca.crt"),
      },
      token: null,
      requestTimeoutMs: 10_000,
    } as Partial<ResolvedAgentConfig> as ResolvedAgentConfig;
    const client = new ControlPlaneClient(config);
    try {
      const storePath = `/nix/store/${"b".repeat(32)}-nixos-system-web-a`;
      const pin = await call("/api/v1/machines/web-a/desired", { token: admin }, "PUT", {
        storePath,
        rolloutId: "rol_wire",
      });
      expect(pin.status, pin.body).toBe(200);
      expect(await client.desired()).toMatchObject({ machineId: "web-a", storePath, rolloutId: "rol_wire" });
      await client.report({
        machineId: "web-a",
        rolloutId: "rol_wire",
        storePath,
        state: "applying",
        reportedAt: new Date().toISOString(),
      });
      const at = new Date().toISOString();
      const batch: EvidenceBatch = {
        machineId: "web-a",
        items: [
          {
            idempotencyKey: "wire-000001",
            kind: "runtime-report" as const,
            collectedAt: at,
            payload: { machineId: "web-a", collectedAt: at },
          },
        ],
      };
      await client.sendEvidence(batch);
      await client.sendEvidence(batch); // a resend is acknowledged, not stored twice
      expect(await client.confirm({ machineId: "web-a", storePath, rolloutId: "rol_wire" })).toBe(true);
      expect(
        await client.confirm({ machineId: "web-a", storePath: `/nix/store/${"c".repeat(32)}-old` }),
      ).toBe(false);
      const evidence = await call("/api/v1/evidence?machine=web-a", { token: admin });
      expect(JSON.parse(evidence.body).items).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});

describe("server start-up rules", { timeout: 120_000 }, () => {
  it("refuses plain HTTP off loopback without --insecure-http (exit 2)", async () => {
    const r = await nixfleet(["server", "--listen", "0.0.0.0:0", "--db", join(dir, "x.db")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not loopback");
  });

  it("validates the configuration against the schema (exit 2 naming the file and path)", async () => {
    const file = join(dir, "bad.json");
    (await import("node:fs")).writeFileSync(
      file,
      JSON.stringify({ listen: "127.0.0.1:0", db: join(dir, "y.db"), pollAfterMs: "soon" }),
    );
    const r = await nixfleet(["server", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain("/pollAfterMs");
    const env = await nixfleet(["server", "--db", join(dir, "z.db")], { NIXFLEET_LISTEN: "nowhere" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("/listen");
  });
});
