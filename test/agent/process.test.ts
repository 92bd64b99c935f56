/**
 * The agent as its own process (`node dist/cli/main.js agent`, built by `npm run build`), talking real HTTP
 * to a control plane in the test process: crash recovery after kill -9, the outbox across an outage,
 * SIGTERM, and configuration errors.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import { TestControlPlane } from "./control-plane.js";
import { buildSystem, installInitialSystem, makeTestMachine, type TestMachine } from "./fixtures.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

interface RunningAgent {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnAgent(machine: TestMachine, configFile: string, args: string[] = []): RunningAgent {
  // detached: the agent leads its own process group, so kill -9 of the group also takes its activation script.
  const child = spawn(process.execPath, [CLI, "agent", "--config", configFile, ...args], {
    env: machine.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

function writeConfig(machine: TestMachine, cpUrl: string, overrides: Partial<AgentConfig> = {}): string {
  const config: AgentConfig = {
    machineId: "web-01",
    controlPlaneUrl: cpUrl,
    token: "agent-token-web-01",
    profilePath: machine.profile,
    currentSystemLink: machine.currentLink,
    activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    switchLockPath: machine.lock,
    rootPath: machine.root,
    stateDir: machine.stateDir,
    pollIntervalMs: 200,
    jitter: 0.1,
    backoffInitialMs: 100,
    backoffMaxMs: 400,
    requestTimeoutMs: 2000,
    confirmWindowMs: 20_000,
    shutdownDeadlineMs: 5000,
    logLevel: "info",
    ...overrides,
  };
  const file = join(machine.dir, "agent.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function persistedState(machine: TestMachine): { state: string; pending: string | null } | null {
  const file = join(machine.stateDir, "agent.sqlite");
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (
      (db.prepare("SELECT state, pending FROM agent_state WHERE id = 1").get() as {
        state: string;
        pending: string | null;
      }) ?? null
    );
  } catch {
    return null; // not migrated yet
  } finally {
    db.close();
  }
}

function outboxSize(machine: TestMachine): number {
  const db = new Database(join(machine.stateDir, "agent.sqlite"), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let machine: TestMachine;
let cp: TestControlPlane;
const running: RunningAgent[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (scripts/test.sh does)`);
});

beforeEach(async () => {
  machine = makeTestMachine("nixfleet-agent-proc-");
  cp = new TestControlPlane();
  await cp.start();
});

afterEach(async () => {
  for (const agent of running.splice(0)) {
    if (agent.child.exitCode === null && agent.child.pid) {
      try {
        process.kill(-agent.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await cp.stop();
});

describe("agent process", () => {
  it("rolls back on restart after kill -9 during Applying", async () => {
    const a = buildSystem(machine, "A");
    const slow = buildSystem(machine, "SLOW", "good", 30);
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: slow, rolloutId: "rol_k9", pollAfterMs: 200 });
    const configFile = writeConfig(machine, cp.url);
    const agent = spawnAgent(machine, configFile);
    running.push(agent);
    // The activation script logs its start, then sleeps: the agent is in Applying, the profile already set.
    await until(
      "the activation to start",
      () => existsSync(machine.marker) && readFileSync(machine.marker, "utf8").includes("SLOW-"),
    );
    expect(persistedState(machine)?.state).toBe("Applying");
    process.kill(-(agent.child.pid as number), "SIGKILL");
    expect(await agent.exited).toBeNull();
    expect(realpathSync(machine.profile)).toBe(slow);
    expect(realpathSync(machine.currentLink)).toBe(a);

    const restarted = spawnAgent(machine, configFile, ["--once", "--json"]);
    running.push(restarted);
    const code = await restarted.exited;
    expect(code).toBe(1);
    const outcome = JSON.parse(restarted.stdout()) as { kind: string; storePath: string; reason: string };
    expect(outcome).toMatchObject({ kind: "rolled-back", storePath: slow });
    expect(outcome.reason).toMatch(/agent restarted while Applying .*never confirmed/);
    expect(realpathSync(machine.profile)).toBe(a);
    expect(realpathSync(machine.currentLink)).toBe(a);
    expect(persistedState(machine)).toMatchObject({ state: "Idle", pending: null });
    expect(cp.reports.at(-1)).toMatchObject({ state: "rolled-back", storePath: slow });
    expect(cp.confirms).toHaveLength(0);
    // Three generations: A, SLOW (never confirmed), and the rollback returned the profile to A's generation.
    const generations = execFileSync("nix-env", ["-p", machine.profile, "--list-generations"], {
      env: machine.env,
      encoding: "utf8",
    });
    expect(generations).toMatch(/\b1 .*\(current\)/);
  });

  it("keeps runtime evidence through a control-plane outage and delivers each item exactly once", async () => {
    const a = buildSystem(machine, "A");
    installInitialSystem(machine, a);
    const configFile = writeConfig(machine, cp.url, { reportIntervalMs: 1000, outbox: { batchSize: 2 } });
    const agent = spawnAgent(machine, configFile);
    running.push(agent);
    await until("a first runtime report", () => cp.evidence.size >= 1);

    await cp.stop();
    await until("three reports queued during the outage", () => outboxSize(machine) >= 3);
    const queuedDuringOutage = outboxSize(machine);

    // When it comes back, the first batch is stored but its answer is lost: the agent must resend it.
    cp.loseEvidenceAcks = 1;
    await cp.start();
    await until("the outbox to drain", () => outboxSize(machine) === 0 && cp.loseEvidenceAcks === 0);
    await until("the resent batch to be acknowledged", () => cp.evidenceReceived > cp.evidence.size);

    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    expect(agent.stderr()).toMatch(/"msg":"agent stopped"/);

    const reports = [...cp.evidence.values()].filter((e) => e.kind === "runtime-report");
    expect(reports.length).toBeGreaterThanOrEqual(queuedDuringOutage + 1);
    // Exactly once: every collected report is stored once, the resend was recognised by its key.
    const collectedAt = reports.map((r) => r.payload.collectedAt as string);
    expect(new Set(collectedAt).size).toBe(collectedAt.length);
    expect(cp.evidenceReceived - cp.evidence.size).toBeGreaterThanOrEqual(1);
    for (const batch of cp.batches) expect(batch.items.length).toBeLessThanOrEqual(2);
    expect(outboxSize(machine)).toBe(0);
  });

  it("stops on SIGTERM within the shutdown deadline while waiting between polls", async () => {
    const a = buildSystem(machine, "A");
    installInitialSystem(machine, a);
    const configFile = writeConfig(machine, cp.url, { pollIntervalMs: 60_000, shutdownDeadlineMs: 2000 });
    cp.desired.set("web-01", { storePath: null, pollAfterMs: 60_000 });
    const agent = spawnAgent(machine, configFile);
    running.push(agent);
    await until("the first poll", () => cp.evidence.size >= 1);
    // The idle heartbeat says what runs.
    await until("a heartbeat", () => cp.reports.some((r) => r.state === "idle"));
    expect(cp.reports.find((r) => r.state === "idle")).toMatchObject({
      agentState: "Idle",
      currentStorePath: a,
    });
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    expect(persistedState(machine)?.state).toBe("Idle");
  });

  it("exits 2 naming the file and JSON path of an invalid configuration", async () => {
    const file = join(machine.dir, "bad.yaml");
    writeFileSync(file, "machineId: web-01\ncontrolPlaneUrl: ftp://nope\npollIntervalMs: soon\n");
    const agent = spawnAgent(machine, file, ["--once"]);
    expect(await agent.exited).toBe(2);
    expect(agent.stderr()).toContain(`${file}: invalid agent-config`);
    expect(agent.stderr()).toContain("at /controlPlaneUrl");
    expect(agent.stderr()).toContain("at /pollIntervalMs");
  });

  it("--check-config prints the configuration with defaults, flags winning over the file", async () => {
    const configFile = writeConfig(machine, cp.url);
    const agent = spawnAgent(machine, configFile, ["--check-config", "--json", "--poll-interval-ms", "4321"]);
    expect(await agent.exited).toBe(0);
    const shown = JSON.parse(agent.stdout()) as {
      pollIntervalMs: number;
      token: string;
      outbox: { maxItems: number };
    };
    expect(shown).toMatchObject({ pollIntervalMs: 4321, token: "(set)", outbox: { maxItems: 10000 } });
  });
});
