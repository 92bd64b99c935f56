/**
 * The agent against the real control plane: `nixfleet ca init/issue` certificates, a spawned `nixfleet server`
 * with mTLS, the agent as its own process (`nixfleet agent`) with its machine certificate, real Nix systems.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import type { DesiredGenerationSet } from "../../schemas/generated/desired-generation-set.js";
import { CLI, nixfleet, type SpawnedServer, spawnServer } from "../api/cli-helpers.js";
import {
  buildSystem,
  installInitialSystem,
  makeTestMachine,
  setUnitState,
  type TestMachine,
} from "./fixtures.js";

let machine: TestMachine;
let server: SpawnedServer;
let serverArgs: string[];
let admin = "";
let caCert: Buffer;
let ca = "";

function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${server.url}${path}`,
      {
        method,
        ca: caCert,
        agent: false,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(payload ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function setDesired(desired: DesiredGenerationSet): Promise<void> {
  const r = await api("PUT", "/api/v1/machines/web-01/desired", desired);
  if (r.status !== 200) throw new Error(`PUT desired: ${r.status} ${JSON.stringify(r.body)}`);
}

interface ReportRow {
  state: string;
  storePath?: string;
  reason?: string;
}

async function reports(): Promise<ReportRow[]> {
  const r = await api<{ items: ({ report?: ReportRow } & ReportRow)[] }>(
    "GET",
    "/api/v1/machines/web-01/reports",
  );
  return r.body.items.map((i) => i.report ?? i);
}

interface EvidenceRow {
  kind: string;
  idempotencyKey?: string;
}

async function evidence(kind: string): Promise<EvidenceRow[]> {
  const all: EvidenceRow[] = [];
  let cursor: string | undefined;
  do {
    const q = `/api/v1/evidence?machine=web-01&kind=${kind}&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
    const r = await api<{ items: EvidenceRow[]; nextCursor?: string }>("GET", q);
    all.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return all;
}

function agentConfig(overrides: Partial<AgentConfig> = {}): string {
  const config: AgentConfig = {
    machineId: "web-01",
    controlPlaneUrl: server.url,
    tls: {
      cert: join(ca, "issued", "web-01.crt"),
      key: join(ca, "issued", "web-01.key"),
      ca: join(ca, "ca.crt"),
    },
    profilePath: machine.profile,
    currentSystemLink: machine.currentLink,
    activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    switchLockPath: machine.lock,
    rootPath: machine.root,
    stateDir: machine.stateDir,
    pollIntervalMs: 200,
    backoffInitialMs: 100,
    backoffMaxMs: 400,
    confirmWindowMs: 20_000,
    logLevel: "warn",
    ...overrides,
  };
  const file = join(machine.dir, "agent-real.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function runAgent(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, "agent", ...args], {
    env: machine.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return {
    child,
    done: new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr }))),
  };
}

function outboxSize(): number {
  const db = new Database(join(machine.stateDir, "agent.sqlite"), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  machine = makeTestMachine("nixfleet-agent-real-");
  ca = join(machine.dir, "ca");
  const db = join(machine.dir, "state.db");
  const run = async (args: string[]) => {
    const r = await nixfleet(args);
    if (r.code !== 0) throw new Error(`nixfleet ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await run(["ca", "init", "--dir", ca, "--json"]);
  await run(["ca", "issue", "--dir", ca, "--server", "--host", "127.0.0.1", "--json"]);
  await run(["ca", "issue", "--dir", ca, "--machine", "web-01", "--json"]);
  admin = (
    JSON.parse(await run(["token", "create", "--db", db, "--role", "admin", "--json"])) as { token: string }
  ).token;
  caCert = readFileSync(join(ca, "ca.crt"));
  serverArgs = [
    "--db",
    db,
    "--tls-cert",
    join(ca, "issued", "server.crt"),
    "--tls-key",
    join(ca, "issued", "server.key"),
    "--client-ca",
    join(ca, "ca.crt"),
  ];
  server = await spawnServer(["--listen", "127.0.0.1:0", ...serverArgs]);
  const registered = await api("POST", "/api/v1/machines", { id: "web-01" });
  if (registered.status !== 201) throw new Error(JSON.stringify(registered.body));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("agent with the real control plane over mTLS", () => {
  it("applies, health-checks and confirms a generation; reports and evidence reach the control plane", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    setUnitState(machine, "nginx.service", "active");
    await setDesired({
      storePath: b,
      healthChecks: [{ name: "nginx", kind: "systemd", unit: "nginx.service", retries: 0 }],
      pollAfterMs: 200,
    });
    const { done } = runAgent(["--config", agentConfig(), "--once", "--json"]);
    const result = await done;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ kind: "confirmed", storePath: b });
    expect(realpathSync(machine.currentLink)).toBe(b);
    expect((await reports()).map((r) => r.state)).toContain("confirmed");
    expect((await evidence("runtime-report")).length).toBeGreaterThanOrEqual(1);
    expect((await evidence("health-check")).length).toBeGreaterThanOrEqual(1);
  });

  it("rolls back when a health check fails, and the control plane gets the reason", async () => {
    const before = realpathSync(machine.currentLink);
    const c = buildSystem(machine, "C");
    setUnitState(machine, "db.service", "failed");
    await setDesired({
      storePath: c,
      healthChecks: [{ name: "db", kind: "systemd", unit: "db.service", retries: 0, failureThreshold: 1 }],
      pollAfterMs: 200,
    });
    const result = await runAgent(["--config", agentConfig(), "--once", "--json"]).done;
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "rolled-back", storePath: c });
    expect(realpathSync(machine.currentLink)).toBe(before);
    const latest = (await reports())[0];
    expect(latest).toMatchObject({ state: "rolled-back", storePath: c });
    expect(latest?.reason).toMatch(/db.service is failed/);
  });

  it("keeps evidence through a control-plane outage and the control plane stores each item once, even when resent", async () => {
    await setDesired({ storePath: null, pollAfterMs: 200 });
    const port = server.port;
    const agent = runAgent(["--config", agentConfig({ reportIntervalMs: 1000 })]);
    const initial = (await evidence("runtime-report")).length;
    await until("a runtime report", async () => (await evidence("runtime-report")).length > initial);

    expect(await server.stop()).toBe(0);
    await until("reports queued during the outage", () => outboxSize() >= 3);
    // A copy of the outbox as it is now: restoring it later replays items the control plane will already have
    // (an ack lost to a crash or power cut between send and delete).
    agent.child.kill("SIGTERM");
    expect((await agent.done).code).toBe(0);
    const queued = outboxSize();
    copyFileSync(join(machine.stateDir, "agent.sqlite"), join(machine.dir, "outbox-snapshot.sqlite"));

    server = await spawnServer(["--listen", `127.0.0.1:${port}`, ...serverArgs]);
    const first = await runAgent(["--config", agentConfig(), "--once"]).done;
    expect(first.code).toBe(0);
    expect(outboxSize()).toBe(0);
    const afterOutage = await evidence("runtime-report");
    expect(afterOutage.length).toBeGreaterThanOrEqual(initial + 1 + queued);

    // Replay: the same items again, plus one new report from this run. Only the new one is stored.
    copyFileSync(join(machine.dir, "outbox-snapshot.sqlite"), join(machine.stateDir, "agent.sqlite"));
    for (const suffix of ["-wal", "-shm"])
      rmSync(join(machine.stateDir, `agent.sqlite${suffix}`), { force: true });
    const replay = await runAgent(["--config", agentConfig(), "--once"]).done;
    expect(replay.code).toBe(0);
    expect(outboxSize()).toBe(0);
    expect((await evidence("runtime-report")).length).toBe(afterOutage.length + 1);
  });
});
