/**
 * Agent scenarios with real Nix (nix-build, nix-env on temporary profiles, nix copy from a file:// cache),
 * a real SQLite state file and real HTTP to a control plane.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent, type AgentLog } from "../../agent/agent.js";
import { ControlPlaneClient } from "../../agent/client.js";
import type { ResolvedAgentConfig } from "../../agent/config.js";
import { createDriver } from "../../agent/drivers/index.js";
import { AgentState } from "../../agent/state-machine.js";
import { AgentStore } from "../../agent/store.js";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import { TestControlPlane } from "./control-plane.js";
import {
  buildSystem,
  installInitialSystem,
  makeTestMachine,
  setUnitState,
  type TestMachine,
  testAgentConfig,
} from "./fixtures.js";

const quiet: AgentLog = { debug() {}, info() {}, warn() {}, error() {} };

let machine: TestMachine;
let cp: TestControlPlane;
const opened: { store: AgentStore; client: ControlPlaneClient }[] = [];

function makeAgent(config: ResolvedAgentConfig, options: { dryRun?: boolean } = {}) {
  const store = new AgentStore(join(config.stateDir, "agent.sqlite"), {
    maxOutboxItems: config.outbox.maxItems,
  });
  const client = new ControlPlaneClient(config);
  opened.push({ store, client });
  const agent = new Agent({
    config,
    driver: createDriver(config, machine.env),
    controlPlane: client,
    store,
    log: quiet,
    env: machine.env,
    dryRun: options.dryRun ?? false,
  });
  return { agent, store };
}

function config(overrides: Partial<AgentConfig> = {}): ResolvedAgentConfig {
  return testAgentConfig(machine, cp.url, overrides);
}

function profileTarget(): string {
  return realpathSync(machine.profile);
}

function currentSystem(): string {
  return realpathSync(machine.currentLink);
}

function generationCount(): number {
  const out = execFileSync("nix-env", ["-p", machine.profile, "--list-generations"], {
    env: machine.env,
    encoding: "utf8",
  });
  return out.trim().split("\n").length;
}

beforeEach(async () => {
  machine = makeTestMachine();
  cp = new TestControlPlane();
  await cp.start();
});

afterEach(async () => {
  for (const { store, client } of opened.splice(0)) {
    client.close();
    store.close();
  }
  await cp.stop();
});

describe("agent with real Nix", () => {
  it("applies a generation, passes its health checks and confirms", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    setUnitState(machine, "nginx.service", "active");
    cp.desired.set("web-01", {
      storePath: b,
      rolloutId: "rol_01",
      pollAfterMs: 200,
      healthChecks: [{ name: "nginx", kind: "systemd", unit: "nginx.service", retries: 0, intervalMs: 10 }],
    });
    // What the control plane held when the confirmation arrived: the gate before the next batch judges the host
    // on its latest runtime report as soon as the confirmation is accepted, so it must be the new generation's.
    const runtimeAtConfirm: unknown[] = [];
    const recordConfirm = cp.confirms.push.bind(cp.confirms);
    cp.confirms.push = (...confirms) => {
      for (const e of cp.evidence.values())
        if (e.kind === "runtime-report") runtimeAtConfirm.push(e.payload.currentGeneration);
      return recordConfirm(...confirms);
    };
    const { agent, store } = makeAgent(config());
    const outcome = await agent.runOnce();
    expect(outcome).toEqual({ kind: "confirmed", storePath: b });
    expect(runtimeAtConfirm).toEqual([{ storePath: b, generation: 2 }]);
    expect(profileTarget()).toBe(b);
    expect(currentSystem()).toBe(b);
    expect(generationCount()).toBe(2);
    expect(readFileSync(machine.marker, "utf8")).toMatch(/B-\S+ \S+switch-to-configuration switch/);
    expect(cp.confirms).toHaveLength(1);
    expect(cp.confirms[0]?.healthChecks?.[0]).toMatchObject({ name: "nginx", status: "pass" });
    expect(cp.outcomes()).toEqual(["fetching", "applying", "verifying", "confirmed"]);
    expect(agent.history).toEqual([
      AgentState.Idle,
      AgentState.Checking,
      AgentState.Fetching,
      AgentState.Applying,
      AgentState.Verifying,
      AgentState.Reporting,
      AgentState.Idle,
    ]);
    // Health results and a runtime report reached the control plane as evidence.
    const kinds = [...cp.evidence.values()].map((e) => e.kind).sort();
    expect(kinds).toEqual(["health-check", "runtime-report"]);
    const runtime = [...cp.evidence.values()].find((e) => e.kind === "runtime-report")?.payload;
    expect(runtime?.currentGeneration).toEqual({ storePath: b, generation: 2 });
    expect(store.load()).toMatchObject({
      state: AgentState.Idle,
      pending: null,
      lastOutcome: { outcome: "confirmed" },
    });
    // The next poll finds nothing to do.
    expect(await agent.cycle()).toEqual({ kind: "up-to-date", storePath: b });
  });

  it("rolls back when a health check fails, and reports why", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    setUnitState(machine, "postgresql.service", "failed");
    cp.desired.set("web-01", {
      storePath: b,
      rolloutId: "rol_02",
      pollAfterMs: 200,
      healthChecks: [
        {
          name: "db",
          kind: "systemd",
          unit: "postgresql.service",
          retries: 2,
          intervalMs: 10,
          failureThreshold: 2,
        },
      ],
    });
    const { agent } = makeAgent(config());
    const outcome = await agent.runOnce();
    expect(outcome.kind).toBe("rolled-back");
    expect(profileTarget()).toBe(a);
    expect(currentSystem()).toBe(a);
    expect(cp.confirms).toHaveLength(0);
    const last = cp.reports.at(-1);
    expect(last?.state).toBe("rolled-back");
    expect(last?.reason).toMatch(
      /health checks failed: db fail: postgresql.service is failed \(2 consecutive failures\)/,
    );
    expect(last?.healthChecks?.[0]).toMatchObject({ status: "fail", attempts: 2 });
    expect(agent.history).toContain(AgentState.RollingBack);
    // The marker shows B was activated, then A again.
    const lines = readFileSync(machine.marker, "utf8").trim().split("\n");
    expect(lines.at(-2)).toMatch(/^B-/);
    expect(lines.at(-1)).toMatch(/^A-/);
    // The same rollout's generation is not retried on the next poll.
    expect((await agent.cycle()).kind).toBe("up-to-date");
    expect(currentSystem()).toBe(a);
  });

  it("rolls back when activation fails", async () => {
    const a = buildSystem(machine, "A");
    const bad = buildSystem(machine, "BAD", "bad");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: bad, rolloutId: "rol_03", pollAfterMs: 200 });
    const { agent } = makeAgent(config());
    const outcome = await agent.runOnce();
    expect(outcome.kind).toBe("rolled-back");
    expect(outcome.kind === "rolled-back" && outcome.reason).toMatch(
      /activation failed: .*exit 1: activation of BAD-\S+ failed on purpose/,
    );
    expect(profileTarget()).toBe(a);
    expect(currentSystem()).toBe(a);
    expect(cp.reports.at(-1)?.state).toBe("rolled-back");
  });

  it("rolls back at the confirm deadline when the control plane goes away after the switch", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", {
      storePath: b,
      rolloutId: "rol_04",
      pollAfterMs: 200,
      confirmWindowMs: 4000,
      healthChecks: [
        // The check takes the control plane down and passes only once it is gone: the switch happened,
        // the checks pass, and nobody can take the confirmation.
        {
          name: "takes-the-control-plane-down",
          kind: "command",
          command: [
            "sh",
            "-c",
            `touch ${machine.dir}/cp-down; while [ ! -e ${machine.dir}/cp-stopped ]; do sleep 0.05; done`,
          ],
          timeoutMs: 3000,
          retries: 0,
        },
      ],
    });
    const watcher = setInterval(() => {
      if (existsSync(`${machine.dir}/cp-down`)) {
        clearInterval(watcher);
        void cp.stop().then(() => writeFileSync(`${machine.dir}/cp-stopped`, ""));
      }
    }, 5);
    const { agent, store } = makeAgent(config());
    const outcome = await agent.runOnce();
    clearInterval(watcher);
    expect(outcome.kind).toBe("rolled-back");
    expect(outcome.kind === "rolled-back" && outcome.reason).toMatch(
      /no accepted confirmation before the confirm deadline/,
    );
    expect(profileTarget()).toBe(a);
    expect(currentSystem()).toBe(a);
    expect(cp.confirms).toHaveLength(0);
    // The outcome is queued and arrives when the control plane is back.
    expect(store.peekStatus().at(-1)?.body).toMatchObject({ state: "rolled-back" });
    await cp.start();
    await agent.flush();
    expect(cp.reports.at(-1)).toMatchObject({ state: "rolled-back", storePath: b });
    expect(store.peekStatus()).toHaveLength(0);
  });

  it("rolls back when the control plane answers 409 to the confirmation", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: b, rolloutId: "rol_05", pollAfterMs: 200 });
    cp.rejectConfirm = true;
    const { agent } = makeAgent(config());
    const outcome = await agent.runOnce();
    expect(outcome.kind).toBe("rolled-back");
    expect(currentSystem()).toBe(a);
  });

  it("fails clearly and does not switch when the store path is missing and no cache is configured", async () => {
    const a = buildSystem(machine, "A");
    installInitialSystem(machine, a);
    const missing = "/nix/store/00000000000000000000000000000000-nixfleet-never-built";
    cp.desired.set("web-01", { storePath: missing, rolloutId: "rol_06", pollAfterMs: 200 });
    const { agent } = makeAgent(config());
    const outcome = await agent.runOnce();
    expect(outcome).toEqual({
      kind: "failed",
      storePath: missing,
      reason: `${missing} is not in the local store and no binary cache is configured to fetch it from`,
    });
    expect(profileTarget()).toBe(a);
    expect(generationCount()).toBe(1);
    expect(cp.reports.at(-1)).toMatchObject({ state: "failed", storePath: missing });
    expect(agent.history).not.toContain(AgentState.Applying);
  });

  it("fetches a missing store path from a signed file:// binary cache made with nix copy --to", async () => {
    const a = buildSystem(machine, "A");
    const c = buildSystem(machine, "C");
    installInitialSystem(machine, a);
    const cache = `file://${machine.dir}/cache`;
    execFileSync(
      "nix-store",
      ["--generate-binary-cache-key", "nixfleet-test-1", `${machine.dir}/sk`, `${machine.dir}/pk`],
      { env: machine.env },
    );
    execFileSync("nix", ["copy", "--to", `${cache}?secret-key=${machine.dir}/sk`, c], {
      env: machine.env,
      stdio: "ignore",
    });
    execFileSync("nix-store", ["--delete", c], { env: machine.env, stdio: "ignore" });
    expect(() =>
      execFileSync("nix-store", ["--check-validity", c], { env: machine.env, stdio: "ignore" }),
    ).toThrow();
    const publicKey = readFileSync(`${machine.dir}/pk`, "utf8").trim();

    // Without the cache's key, signature checking refuses the path: no switch.
    cp.desired.set("web-01", { storePath: c, rolloutId: "rol_07a", pollAfterMs: 200, cacheUrl: cache });
    const untrusted = makeAgent(
      config({
        stateDir: `${machine.dir}/state-untrusted`,
        trustedPublicKeys: ["other-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
      }),
    );
    const refused = await untrusted.agent.runOnce();
    expect(refused.kind).toBe("failed");
    expect(refused.kind === "failed" && refused.reason).toMatch(/lacks a valid signature/);
    expect(currentSystem()).toBe(a);

    cp.desired.set("web-01", { storePath: c, rolloutId: "rol_07b", pollAfterMs: 200, cacheUrl: cache });
    const { agent } = makeAgent(config({ trustedPublicKeys: [publicKey] }));
    const outcome = await agent.runOnce();
    expect(outcome).toEqual({ kind: "confirmed", storePath: c });
    execFileSync("nix-store", ["--check-validity", c], { env: machine.env });
    expect(currentSystem()).toBe(c);
  });

  it("fetches from an http:// binary cache (the same cache served over HTTP)", async () => {
    const a = buildSystem(machine, "A");
    const d = buildSystem(machine, "D");
    installInitialSystem(machine, a);
    const cacheDir = `${machine.dir}/http-cache`;
    execFileSync("nix", ["copy", "--to", `file://${cacheDir}`, d], { env: machine.env, stdio: "ignore" });
    execFileSync("nix-store", ["--delete", d], { env: machine.env, stdio: "ignore" });
    const served: string[] = [];
    const http = createServer((req, res) => {
      const path = join(cacheDir, decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/"));
      served.push(req.url ?? "");
      if (!path.startsWith(cacheDir) || !existsSync(path)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(readFileSync(path));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
    try {
      const cacheUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      cp.desired.set("web-01", { storePath: d, rolloutId: "rol_11", pollAfterMs: 200, cacheUrl });
      // Unsigned cache: only with signature checking explicitly off.
      const { agent } = makeAgent(config({ checkSignatures: false }));
      expect(await agent.runOnce()).toEqual({ kind: "confirmed", storePath: d });
      expect(served.some((u) => u.endsWith(".narinfo"))).toBe(true);
      expect(currentSystem()).toBe(d);
    } finally {
      http.close();
    }
  });

  it("--dry-run fetches and checks but does not switch", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: b, rolloutId: "rol_08", pollAfterMs: 200 });
    const { agent } = makeAgent(config(), { dryRun: true });
    const outcome = await agent.runOnce();
    expect(outcome.kind).toBe("dry-run");
    expect(profileTarget()).toBe(a);
    expect(currentSystem()).toBe(a);
    expect(generationCount()).toBe(1);
  });

  it("refuses to switch while another process holds the switch lock", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: b, rolloutId: "rol_09", pollAfterMs: 200 });
    const holder = spawn("flock", [machine.lock, "sh", "-c", `echo held; sleep 30`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    try {
      const { agent } = makeAgent(config());
      const outcome = await agent.runOnce();
      expect(outcome.kind).toBe("failed");
      expect(outcome.kind === "failed" && outcome.reason).toBe(
        `another switch holds the switch lock ${machine.lock}`,
      );
      expect(profileTarget()).toBe(a);
      expect(generationCount()).toBe(1);
      expect(agent.history).not.toContain(AgentState.RollingBack);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("switches a Darwin system with nix-env --set and <path>/activate", async () => {
    const a = buildSystem(machine, "A");
    const b = buildSystem(machine, "B");
    installInitialSystem(machine, a);
    cp.desired.set("web-01", { storePath: b, rolloutId: "rol_10", pollAfterMs: 200 });
    const darwin = config({ platform: "darwin", activationCommand: undefined });
    expect(darwin.activationCommand).toEqual(["{path}/activate"]);
    const { agent } = makeAgent(darwin);
    expect(await agent.runOnce()).toEqual({ kind: "confirmed", storePath: b });
    expect(readFileSync(machine.marker, "utf8").trim().split("\n").at(-1)).toMatch(
      new RegExp(`^B-\\S+ ${b}/activate$`),
    );
    expect(currentSystem()).toBe(b);
  });

  it("backs off exponentially with jitter while the control plane is unreachable, then honours pollAfterMs", async () => {
    const cfg = config({ jitter: 0.5, backoffInitialMs: 100, backoffMaxMs: 800, pollIntervalMs: 5000 });
    const store = new AgentStore(join(cfg.stateDir, "agent.sqlite"), { maxOutboxItems: 10 });
    const client = new ControlPlaneClient(cfg);
    opened.push({ store, client });
    let draw = 0;
    const draws = [0, 1, 0.5, 0.5, 0.5, 0.5];
    const agent = new Agent({
      config: cfg,
      driver: createDriver(cfg, machine.env),
      controlPlane: client,
      store,
      log: quiet,
      env: machine.env,
      dryRun: false,
      random: () => draws[draw++ % draws.length] as number,
    });
    await cp.stop();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await agent.cycle()).kind).toBe("unreachable");
      waits.push(agent.nextWaitMs());
    }
    // 100 ms shrunk by 50 %, 200 ms stretched by 50 %, then 400, 800, 800 (capped) without jitter (draw 0.5).
    expect(waits).toEqual([50, 300, 400, 800, 800]);
    await cp.start();
    cp.desired.set("web-01", { storePath: null, pollAfterMs: 1234 });
    expect((await agent.cycle()).kind).toBe("up-to-date");
    expect(agent.nextWaitMs()).toBe(1234);
  });

  it("keeps evidence the control plane refuses for who we are (403), drops and counts a refused body (422)", async () => {
    const a = buildSystem(machine, "A");
    installInitialSystem(machine, a);
    const { agent, store } = makeAgent(config());
    await agent.queueRuntimeReport();
    cp.refuseEvidenceWith = 403;
    expect(await agent.flush()).toEqual({ delivered: 0, remaining: 1 });
    cp.refuseEvidenceWith = 422;
    expect(await agent.flush()).toEqual({ delivered: 1, remaining: 0 });
    expect(store.counter("outbox.rejected")).toBe(1);
    expect(cp.evidence.size).toBe(0);
  });
});
