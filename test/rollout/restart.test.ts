import { type ChildProcess, spawn } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RolloutScheduler } from "../../api/scheduler/scheduler.js";
import { verifyAuditChain } from "../../api/services/audit-chain.js";
import { testPlane } from "../api/harness.js";
import { assignments, buildFleet, type Fleet, rolloutRow, round, roundsUntil } from "./harness.js";

let fleet: Fleet | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
  fleet?.close();
  fleet = undefined;
});

/** A scheduler that dies after committing a tick's decisions and before applying any command. */
class DiesAfterPersisting extends RolloutScheduler {
  private calls = 0;
  override applyCommands(): number {
    this.calls++;
    if (this.calls === 2) throw new Error("killed between persisting and applying");
    return super.applyCommands();
  }
}

/** Closes the database and opens the same file again, as a restarted control plane does. */
function restart(f: Fleet): void {
  const now = f.plane.clock.now();
  f.scheduler.stop();
  f.plane.db.sqlite.close();
  f.plane = testPlane({}, f.dbPath);
  f.plane.clock.ms = now;
  for (const agent of f.agents.values()) agent.plane = f.plane;
  f.scheduler = new RolloutScheduler({ db: f.plane.db, clock: f.plane.clock });
}

function count(f: Fleet, sql: string, ...args: unknown[]): number {
  return (f.plane.db.sqlite.prepare(sql).get(...args) as { n: number }).n;
}

/** What must hold after any number of crashes: each host assigned once, every batch started once, in order. */
function expectCleanFinish(f: Fleet, id: string, hosts: number, batches: number): void {
  expect(rolloutRow(f, id).status).toBe("succeeded");
  const assigned = assignments(f, id);
  expect(assigned.size).toBe(hosts);
  expect([...assigned.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  const started = (
    f.plane.db.sqlite
      .prepare(
        "SELECT batch FROM rollout_events WHERE rollout_id = ? AND kind = 'batch.started' ORDER BY seq",
      )
      .all(id) as { batch: number }[]
  ).map((r) => r.batch);
  expect(started).toEqual(Array.from({ length: batches }, (_, i) => i));
  expect(
    count(f, "SELECT count(*) AS n FROM rollout_batches WHERE rollout_id = ? AND phase = 'passed'", id),
  ).toBe(batches);
  expect(count(f, "SELECT count(*) AS n FROM rollout_commands WHERE applied_at IS NULL")).toBe(0);
  expect(verifyAuditChain(f.plane.db).ok).toBe(true);
}

describe("restart mid-rollout", () => {
  it("a control plane that dies after persisting a tick resumes from the outbox: no host twice, no batch skipped", async () => {
    fleet = await buildFleet({ hosts: 8 });
    const f = fleet;
    const spec = {
      strategy: "staged",
      batches: ["2", "50%", "100%"],
      maxInFlight: 2,
      targets: { all: true },
    };
    const started = await f.plane.json<{ rollout: { id: string } }>("POST", "/api/v1/rollouts", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    expect(started.status).toBe(201);
    const id = started.body.rollout.id;
    await round(f);
    await round(f);
    // the next tick commits its decisions (new assignments in the outbox) and dies before applying them
    f.scheduler = new DiesAfterPersisting({ db: f.plane.db, clock: f.plane.clock });
    for (const agent of f.agents.values()) await agent.poll();
    expect(() => f.scheduler.tick()).toThrow(/killed/);
    const pending = count(f, "SELECT count(*) AS n FROM rollout_commands WHERE applied_at IS NULL");
    expect(pending).toBeGreaterThan(0);
    restart(f);
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    expectCleanFinish(f, id, 8, 3);
  });

  it("kill -9 of a scheduler process, again and again, mid-rollout: it continues where it was", async () => {
    fleet = await buildFleet({ hosts: 16 });
    const f = fleet;
    const clockFile = join(f.dir, "clock");
    // write + rename: the scheduler process must never read a truncated file (an empty read is time 0)
    const syncClock = () => {
      writeFileSync(`${clockFile}.next`, String(f.plane.clock.now()));
      renameSync(`${clockFile}.next`, clockFile);
    };
    syncClock();
    const spec = {
      strategy: "staged",
      batches: ["1", "25%", "50%", "100%"],
      maxInFlight: 2,
      bakeTimeMs: 2_000,
      targets: { all: true },
    };
    const started = await f.plane.json<{ rollout: { id: string } }>("POST", "/api/v1/rollouts", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    const id = started.body.rollout.id;
    const script = join(import.meta.dirname, "fixtures", "scheduler-process.ts");
    let kills = 0;
    let killedMidRollout = 0;
    let progressedLives = 0;
    const lives: { before: number; after: number; status: string }[] = [];
    for (let life = 0; life < 5 && rolloutRow(f, id).status !== "succeeded"; life++) {
      child = spawn(process.execPath, ["--import", "tsx", script, f.dbPath, clockFile], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        child!.stdout!.once("data", () => resolve());
        child!.once("exit", (code) => reject(new Error(`scheduler process exited early (${code})`)));
      });
      // let it work until it has made progress of its own (a new assignment), then kill it without warning
      const before = assignments(f, id).size;
      for (
        let r = 0;
        r < 400 && assignments(f, id).size === before && rolloutRow(f, id).status !== "succeeded";
        r++
      ) {
        for (const agent of f.agents.values()) await agent.poll();
        f.plane.clock.advance(700);
        syncClock();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      progressedLives += assignments(f, id).size > before ? 1 : 0;
      lives.push({ before, after: assignments(f, id).size, status: rolloutRow(f, id).status });
      await new Promise((resolve) => setTimeout(resolve, (life * 7) % 30));
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      child = undefined;
      kills++;
      if (["running", "paused"].includes(rolloutRow(f, id).status)) killedMidRollout++;
    }
    expect(killedMidRollout).toBeGreaterThanOrEqual(3);
    // every killed process did work of its own before it died
    expect(progressedLives, JSON.stringify(lives)).toBe(kills);
    // whatever the last life left behind, one more in-process tick-and-poll settles it
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    expectCleanFinish(f, id, 16, 4);
  }, 240_000);
});
