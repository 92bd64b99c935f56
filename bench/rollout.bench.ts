/**
 * Rollout benchmark (JSON lines {"name","value","unit","baseline","ratio"}; ratio = value / baseline).
 *
 * A staged rollout (1, 10%, 50%, 100%) over 10,000 machines through the real scheduler, the real services and
 * a SQLite file, with an injected clock (bake times and timeouts cost nothing). Simulated agents answer
 * through the agent service layer (confirmGeneration + recordAgentReport, each with its audit event); each
 * round of answers is one transaction, as the HTTP layer would batch them across connections.
 *
 * Measures, side by side in one run:
 * - rollout.staged.10000.total: start → succeeded, agents included (target ≤ 15 s; baseline 15,000 ms);
 * - rollout.staged.10000.cpu: the CPU time this process used over the same run (wall time on a shared machine
 *   also counts waiting for a core);
 * - rollout.staged.10000.scheduler: the part spent inside scheduler ticks;
 * - rollout.tick.50-changed: one tick handling 50 confirmations + 50 new assignments, fleet of 10,000 vs
 *   1,000 (baseline) — cost should follow the hosts that changed, so the ratio should stay near 1;
 * - rollout.tick.idle: a tick with nothing new, 10,000 vs 1,000.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openMigrated } from "../api/db/client.js";
import type { Clock } from "../api/env.js";
import { setPolicy } from "../api/policy/services/setPolicy.js";
import { abortRollout } from "../api/rollouts/services/abortRollout.js";
import { startRollout } from "../api/rollouts/services/startRollout.js";
import { RolloutScheduler } from "../api/scheduler/scheduler.js";
import { confirmGeneration } from "../api/services/confirmGeneration.js";
import { type ServiceContext, systemContext } from "../api/services/context.js";
import { createRelease } from "../api/services/createRelease.js";
import { recordAgentReport } from "../api/services/recordAgentReport.js";
import { registerMachine } from "../api/services/registerMachine.js";
import { canonicalHash } from "../evidence/canonical.js";
import type { ReleaseManifest } from "../schemas/generated/release-manifest.js";
import type { RolloutSpec } from "../schemas/generated/rollout-spec.js";

class BenchClock implements Clock {
  ms = Date.parse("2026-11-25T12:00:00Z");
  now(): number {
    return this.ms;
  }
}

interface Fleet {
  db: Db;
  clock: BenchClock;
  dir: string;
  hosts: string[];
  sys: ServiceContext;
  scheduler: RolloutScheduler;
}

function storePath(generation: string, host: string): string {
  return `/nix/store/${canonicalHash([generation, host]).slice(0, 32)}-nixos-system-${host}`;
}

function release(f: Fleet, generation: string): string {
  const at = new Date(f.clock.ms).toISOString();
  const manifest: ReleaseManifest = { hosts: {} };
  for (const host of f.hosts)
    manifest.hosts[host] = {
      toplevel: storePath(generation, host),
      evalEvidence: [
        {
          controlId: "ssh-no-root-login",
          host,
          status: "pass",
          source: "eval",
          severity: "high",
          observed: "no",
          expected: "no",
          message: "PermitRootLogin is no",
          mappings: [{ framework: "nis2", requirement: "21.2.i" }],
          collectedAt: at,
        },
      ],
    };
  return createRelease({ ctx: f.sys, input: manifest }).release.id;
}

function buildFleet(size: number): Fleet {
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-rollout-bench-"));
  const db = openMigrated(join(dir, "cp.sqlite"));
  const clock = new BenchClock();
  const sys = systemContext(db, clock, "bench");
  const hosts = Array.from({ length: size }, (_, i) => `host-${String(i).padStart(5, "0")}`);
  db.sqlite.transaction(() => {
    for (const id of hosts) registerMachine({ ctx: sys, input: { id, tags: ["web"] } });
  })();
  setPolicy({ ctx: sys, input: { version: 1, requiredControls: ["ssh-no-root-login"], mode: "enforce" } });
  return { db, clock, dir, hosts, sys, scheduler: new RolloutScheduler({ db, clock }) };
}

/** Every machine whose desired generation changed since `since` applies it and confirms: one transaction. */
function agentsAnswer(f: Fleet, since: number): number {
  const changed = f.db.sqlite
    .prepare(
      "SELECT machine_id AS machineId, store_path AS storePath, rollout_id AS rolloutId FROM desired_generations WHERE updated_at >= ? AND store_path IS NOT NULL",
    )
    .all(since) as { machineId: string; storePath: string; rolloutId: string }[];
  if (changed.length === 0) return 0;
  const reportedAt = new Date(f.clock.ms).toISOString();
  f.db.sqlite.transaction(() => {
    for (const d of changed) {
      const ctx: ServiceContext = {
        db: f.db,
        clock: f.clock,
        actor: { kind: "agent", machineId: d.machineId, via: "token", credentialId: "bench" },
      };
      confirmGeneration({
        ctx,
        input: { machineId: d.machineId, storePath: d.storePath, rolloutId: d.rolloutId },
      });
      recordAgentReport({
        ctx,
        input: {
          machineId: d.machineId,
          rolloutId: d.rolloutId,
          storePath: d.storePath,
          state: "confirmed",
          currentStorePath: d.storePath,
          reportedAt,
        },
      });
    }
  })();
  return changed.length;
}

function status(f: Fleet, id: string): string {
  return (f.db.sqlite.prepare("SELECT status FROM rollouts WHERE id = ?").get(id) as { status: string })
    .status;
}

function start(f: Fleet, releaseId: string, spec: RolloutSpec): string {
  const r = startRollout({ ctx: f.sys, input: { releaseId, spec } });
  if (!r.started) throw new Error("the gate blocked the benchmark rollout");
  return r.rollout.id;
}

/** Ticks with exactly `changed` reports each: maxInFlight = changed, agents answer everything in between. */
function tickCost(f: Fleet, changed: number, samples: number): { changedMs: number; idleMs: number } {
  const rel = release(f, "tick");
  const id = start(f, rel, { strategy: "all-at-once", maxInFlight: changed, targets: { all: true } });
  f.scheduler.tick(); // applies the first assignments, warms the cache
  const times: number[] = [];
  for (let i = 0; i < samples + 2; i++) {
    const since = f.clock.ms;
    f.clock.ms += 1000;
    agentsAnswer(f, since - 1000);
    const t0 = performance.now();
    f.scheduler.tick();
    if (i >= 2) times.push(performance.now() - t0);
  }
  const idle: number[] = [];
  abortRollout({ ctx: f.sys, input: { rolloutId: id, revert: false } });
  f.scheduler.tick();
  const holdId = start(f, rel, {
    strategy: "all-at-once",
    maxInFlight: 1,
    bakeTimeMs: 3_600_000,
    targets: { all: true },
  });
  f.scheduler.tick();
  for (let i = 0; i < samples + 2; i++) {
    f.clock.ms += 1000;
    const t0 = performance.now();
    f.scheduler.tick();
    if (i >= 2) idle.push(performance.now() - t0);
  }
  abortRollout({ ctx: f.sys, input: { rolloutId: holdId, revert: false } });
  f.scheduler.tick();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { changedMs: median(times), idleMs: median(idle) };
}

function line(name: string, value: number, unit: string, baseline: number): void {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline) })}\n`,
  );
}

const setup0 = performance.now();
const small = buildFleet(1_000);
const big = buildFleet(10_000);
process.stderr.write(`# fleets registered in ${Math.round(performance.now() - setup0)} ms\n`);
try {
  // 15 ticks × 50 hosts stay below the small fleet's 1,000 machines, so every sampled tick is mid-rollout
  const smallTicks = tickCost(small, 50, 12);
  const bigTicks = tickCost(big, 50, 12);
  line("rollout.tick.50-changed.10000-vs-1000", bigTicks.changedMs, "ms", smallTicks.changedMs);
  line("rollout.tick.idle.10000-vs-1000", bigTicks.idleMs, "ms", smallTicks.idleMs);

  // The staged rollout over 10,000 machines, start to finish.
  const rel = release(big, "staged");
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const id = start(big, rel, {
    strategy: "staged",
    batches: ["1", "10%", "50%", "100%"],
    bakeTimeMs: 600_000,
    targets: { all: true },
  });
  let schedulerMs = 0;
  let rounds = 0;
  let since = big.clock.ms;
  while (status(big, id) !== "succeeded") {
    const s0 = performance.now();
    big.scheduler.tick();
    schedulerMs += performance.now() - s0;
    const before = big.clock.ms;
    big.clock.ms += 60_000;
    agentsAnswer(big, since);
    since = before + 1;
    if (++rounds > 10_000) throw new Error(`rollout ${id} stuck in ${status(big, id)}`);
  }
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  line("rollout.staged.10000.total", totalMs, "ms", 15_000);
  // CPU time of this process over the same run: on a shared, overloaded machine wall time mostly measures
  // waiting for a core; this is what the rollout itself cost.
  line("rollout.staged.10000.cpu", (cpu.user + cpu.system) / 1000, "ms", 15_000);
  line("rollout.staged.10000.scheduler", schedulerMs, "ms", totalMs);
  process.stderr.write(`# ${rounds} rounds; rollout ${id} succeeded\n`);
} finally {
  for (const f of [small, big]) {
    f.db.sqlite.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
}
