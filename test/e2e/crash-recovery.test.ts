/**
 * Crashes end to end, over real processes with mTLS and real Nix: the control plane killed with SIGKILL in the
 * middle of a staged rollout and restarted on the same database and port, and an agent killed with SIGKILL while
 * it is applying a generation (profile already set, activation not finished) and started again.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { runCli } from "../harness/cli.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, enforceEvalTimeNis2, type TestFleet } from "../harness/fleet.js";
import { eventually } from "../harness/processes.js";
import { cleanupAll } from "../harness/temp.js";

const HOSTS = ["cp-01", "cp-02", "cp-03", "cp-04"];

let plane: TestControlPlane;
let fleet: TestFleet;

beforeAll(async () => {
  // agents poll every 0.5 s: these scenarios wait on each step of a rollout
  plane = await startControlPlane({ pollAfterMs: 500 });
  fleet = await createFleet(
    plane,
    HOSTS.map((name) => ({ name, tags: ["role:app"] })),
  );
  await enforceEvalTimeNis2(fleet);
  fleet.startAgents();
}, 300_000);
afterAll(cleanupAll);

/** Reads a SQLite file without writing to it (a crashed server's WAL stays for the restarted one to recover). */
function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The rollout with every host, through the REST API (cheaper than spawning the CLI on every poll). */
async function rollout(id: string): Promise<Rollout> {
  const answer = await plane.api<Rollout>("GET", `/api/v1/rollouts/${id}?hosts=all`);
  if (answer.status !== 200) throw new Error(`GET rollout ${id}: ${answer.status} ${answer.text}`);
  return answer.body;
}

/** A rollout in a few lines, for failure messages. */
function summary(r: Rollout | undefined): string {
  if (!r) return "none";
  return JSON.stringify({
    status: r.status,
    pauseReason: r.pauseReason,
    failureReason: r.failureReason,
    batches: r.batches.map((b) => `${b.index}:${b.phase} assigned=${b.assigned} confirmed=${b.confirmed}`),
    hosts: r.hosts?.map((h) => `${h.machineId}:${h.outcome}#${h.attempt} ${h.reason ?? ""}`),
  });
}

async function waitRollout(id: string, done: (r: Rollout) => boolean, what: string, timeoutMs = 150_000) {
  let last: Rollout | undefined;
  try {
    return await eventually(
      what,
      async () => {
        last = await rollout(id);
        return done(last) ? last : undefined;
      },
      timeoutMs,
      300,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast: ${summary(last)}`);
  }
}

/** How many times the control plane set a desired generation of this rollout (any attempt) on each machine. */
function assignments(rolloutId: string): Map<string, number> {
  const rows = query<{ machineId: string; n: number }>(
    plane.db,
    `SELECT target_id AS machineId, count(*) AS n FROM audit_events
     WHERE action = 'desired-generation.set'
       AND (json_extract(after, '$.rolloutId') = ? OR json_extract(after, '$.rolloutId') LIKE ? || '~%')
       AND json_extract(after, '$.storePath') IS NOT NULL
     GROUP BY target_id`,
    rolloutId,
    rolloutId,
  );
  return new Map(rows.map((r) => [r.machineId, r.n]));
}

interface AgentStateRow {
  state: string;
  pending: string | null;
  last_outcome: string | null;
}

function agentState(name: string): AgentStateRow {
  const agent = fleet.agents.get(name)!;
  const [row] = query<AgentStateRow>(
    join(agent.stateDir, "agent.sqlite"),
    "SELECT state, pending, last_outcome FROM agent_state WHERE id = 1",
  );
  if (!row) throw new Error(`${name} has no state row`);
  return row;
}

function statusOutboxSize(name: string): number {
  const agent = fleet.agents.get(name)!;
  const [row] = query<{ n: number }>(
    join(agent.stateDir, "agent.sqlite"),
    "SELECT count(*) AS n FROM status_outbox",
  );
  return row?.n ?? -1;
}

function agentLog(name: string): string {
  const p = fleet.agents.get(name)!.process;
  return p ? p.stdout() + p.stderr() : "";
}

function markerLines(name: string): string[] {
  try {
    return readFileSync(fleet.agents.get(name)!.host.marker, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Processes of a process group that are still alive (zombies excluded: this container's init may reap them
 * late), from /proc/<pid>/stat: "pid (comm) state ppid pgrp …".
 */
function liveProcessesInGroup(pgid: number): string[] {
  const live: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z") live.push(stat.slice(0, stat.lastIndexOf(")") + 1));
  }
  return live;
}

interface ReportRow {
  seq: number;
  machine_id: string;
  rollout_id: string | null;
  store_path: string | null;
  state: string;
  reported_at: string;
}

describe("control plane killed with SIGKILL mid-rollout", () => {
  it("restarts on the same database and port; agents reconnect; every host assigned once and confirmed", async () => {
    const release = await fleet.release(
      "v2",
      {},
      // a couple of seconds per activation keeps batches in flight long enough to kill the server among them
      { sleepSeconds: Object.fromEntries(HOSTS.map((h) => [h, 2])) },
    );
    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "staged",
      "--batches",
      "1,2,100%",
      "--tag",
      "role:app",
      "--health-timeout",
      "60s",
      "--confirm-window",
      "60s",
    ]);
    expect(started.batches.map((b) => b.size)).toEqual([1, 1, 2]);
    const agentPids = new Map([...fleet.agents].map(([n, a]) => [n, a.process?.child.pid]));

    // Kill while the second batch has hosts assigned: the first batch settled, later ones still to come.
    await waitRollout(
      started.id,
      (r) => r.status === "running" && (r.batches[1]?.assigned ?? 0) > 0,
      "the second batch to have a host assigned",
      120_000,
    );
    const logOffsets = new Map(HOSTS.map((h) => [h, agentLog(h).length]));
    await plane.kill9();
    expect(plane.process.running()).toBe(false);

    // What the crashed server had committed: the rollout was not finished, and these reports were stored.
    const [atCrash] = query<{ status: string }>(
      plane.db,
      "SELECT status FROM rollouts WHERE id = ?",
      started.id,
    );
    expect(atCrash?.status).toBe("running");
    const unsettledAtCrash = query<{ machine_id: string }>(
      plane.db,
      "SELECT machine_id FROM rollout_hosts WHERE rollout_id = ? AND outcome <> 'confirmed'",
      started.id,
    );
    expect(unsettledAtCrash.length).toBeGreaterThan(0);
    // …and at least one host was assigned and had not settled: a batch was in flight when the server died
    const inFlightAtCrash = query<{ machine_id: string }>(
      plane.db,
      `SELECT machine_id FROM rollout_hosts WHERE rollout_id = ? AND assigned_at IS NOT NULL
         AND outcome IN ('pending', 'fetching', 'applying', 'verifying')`,
      started.id,
    );
    expect(inFlightAtCrash.length).toBeGreaterThan(0);
    const assignedAtCrash = [...assignments(started.id).keys()];
    expect(assignedAtCrash.length).toBeGreaterThanOrEqual(2);
    const reportsAtCrash = query<ReportRow>(
      plane.db,
      "SELECT seq, machine_id, rollout_id, store_path, state, reported_at FROM agent_reports ORDER BY seq",
    );
    expect(reportsAtCrash.some((r) => r.rollout_id === started.id)).toBe(true);

    // The agents notice the outage by themselves before the server is back.
    await eventually(
      "an agent to report the control plane unreachable",
      () =>
        HOSTS.some((h) => agentLog(h).slice(logOffsets.get(h)).includes("cannot reach the control plane")),
      60_000,
      200,
    );
    await plane.restart();

    const done = await waitRollout(started.id, (r) => r.status !== "running", "the rollout to finish");
    expect(done.status, JSON.stringify(done, null, 1)).toBe("succeeded");
    expect(done.hosts?.map((h) => [h.machineId, h.outcome, h.attempt]).sort()).toEqual(
      HOSTS.map((h) => [h, "confirmed", 1]),
    );
    for (const [name, agent] of fleet.agents) {
      expect(readlinkSync(agent.host.currentLink)).toBe(release.paths.get(name));
      // the same agent processes, never restarted: they reconnected on their own
      expect(agent.process?.running()).toBe(true);
      expect(agent.process?.child.pid).toBe(agentPids.get(name));
    }

    // Every host assigned exactly once, across the crash.
    expect(Object.fromEntries(assignments(started.id))).toEqual(Object.fromEntries(HOSTS.map((h) => [h, 1])));
    // Batches started once each, in order.
    const batchStarts = query<{ batch: number }>(
      plane.db,
      "SELECT batch FROM rollout_events WHERE rollout_id = ? AND kind = 'batch.started' ORDER BY seq",
      started.id,
    );
    expect(batchStarts.map((e) => e.batch)).toEqual([0, 1, 2]);
    // No report the crashed server had stored is lost, and every host's confirmation arrived once.
    const reportsAfter = new Map(
      query<ReportRow>(
        plane.db,
        "SELECT seq, machine_id, rollout_id, store_path, state, reported_at FROM agent_reports ORDER BY seq",
      ).map((r) => [r.seq, r]),
    );
    for (const r of reportsAtCrash) expect(reportsAfter.get(r.seq)).toEqual(r);
    const confirmedReports = [...reportsAfter.values()].filter(
      (r) => r.rollout_id === started.id && r.state === "confirmed",
    );
    expect(new Set(confirmedReports.map((r) => r.machine_id))).toEqual(new Set(HOSTS));
    const confirmations = query<{ machine_id: string; store_path: string }>(
      plane.db,
      "SELECT machine_id, store_path FROM generation_confirmations WHERE rollout_id = ? ORDER BY machine_id",
      started.id,
    );
    expect(confirmations.map((c) => [c.machine_id, c.store_path])).toEqual(
      HOSTS.map((h) => [h, release.paths.get(h)]),
    );
    // Every agent delivered what it queued: nothing waits in its status outbox, its last outcome is confirmed.
    await eventually("every agent's status outbox to drain", () =>
      HOSTS.every((h) => statusOutboxSize(h) === 0),
    );
    for (const h of HOSTS) {
      const state = agentState(h);
      expect(state.pending).toBeNull();
      expect(JSON.parse(state.last_outcome ?? "{}")).toMatchObject({
        outcome: "confirmed",
        rolloutId: started.id,
        storePath: release.paths.get(h),
      });
    }

    const verified = await runCli(["audit", "verify", "--db", plane.db, "--json"]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
  }, 300_000);
});

describe("agent killed with SIGKILL mid-apply", () => {
  it("rolls back to the previous generation on start, reports it, and applies again when the operator retries", async () => {
    const name = "cp-04";
    const agent = fleet.agents.get(name)!;
    const previous = realpathSync(agent.host.currentLink);
    expect(realpathSync(agent.host.profile)).toBe(previous);
    const release = await fleet.release("v3", {}, { sleepSeconds: { [name]: 6 } });
    const target = release.paths.get(name)!;
    const tagOf = (storePath: string) => readFileSync(join(storePath, "nixos-version"), "utf8").trim();
    const markerBefore = markerLines(name).length;

    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "all-at-once",
      "--host",
      name,
      "--health-timeout",
      "60s",
      "--confirm-window",
      "60s",
    ]);

    // The activation has started (it logs to the marker first, then sleeps before flipping the link).
    await eventually(
      "the v3 activation to start",
      () =>
        markerLines(name)
          .slice(markerBefore)
          .some((l) => l.startsWith(`${tagOf(target)} switch`)),
      60_000,
      100,
    );
    const applying = agentState(name);
    expect(applying.state).toBe("Applying");
    expect(JSON.parse(applying.pending ?? "{}")).toMatchObject({
      storePath: target,
      previousStorePath: previous,
      rolloutId: started.id,
    });
    const oldProcess = agent.process!;
    const pgid = oldProcess.child.pid!;
    await oldProcess.kill9();
    // The whole process group is gone (the activation with it), so nothing flips the link behind our back.
    expect(liveProcessesInGroup(pgid)).toEqual([]);

    // The crash left the machine mid-apply: profile on v3, the running system still the previous one.
    expect(realpathSync(agent.host.profile)).toBe(target);
    expect(realpathSync(agent.host.currentLink)).toBe(previous);
    expect(agentState(name).state).toBe("Applying");
    const markerAtRestart = markerLines(name).length;

    agent.start();
    const paused = await waitRollout(
      started.id,
      (r) => r.status !== "running",
      "the rollout to settle after the agent's restart",
    );
    expect(paused.status).toBe("paused");
    expect(paused.pauseReason).toBe("batch-failed");
    expect(paused.hosts?.map((h) => [h.machineId, h.outcome, h.attempt])).toEqual([[name, "rolled-back", 1]]);
    expect(paused.hosts?.[0]?.reason).toMatch(/agent restarted while Applying .*never confirmed/);
    // Back on the previous generation: profile and running system; the only activation since the restart is
    // the rollback's (the unconfirmed v3 never became the running system).
    expect(realpathSync(agent.host.profile)).toBe(previous);
    expect(realpathSync(agent.host.currentLink)).toBe(previous);
    expect(markerLines(name).slice(markerAtRestart)).toEqual([`${tagOf(previous)} switch`]);
    const afterRecovery = agentState(name);
    expect(afterRecovery.state).toBe("Idle");
    expect(afterRecovery.pending).toBeNull();
    expect(JSON.parse(afterRecovery.last_outcome ?? "{}")).toMatchObject({
      outcome: "rolled-back",
      storePath: target,
      rolloutId: started.id,
    });
    expect(agentLog(name)).toMatch(/agent restarted while Applying/);

    // The operator retries the host: a new attempt, applied and confirmed.
    await fleet.cli(["rollout", "retry", started.id]);
    const done = await waitRollout(
      started.id,
      (r) => r.status !== "running",
      "the retried rollout to finish",
    );
    expect(done.status, JSON.stringify(done, null, 1)).toBe("succeeded");
    expect(done.hosts?.map((h) => [h.machineId, h.outcome, h.attempt])).toEqual([[name, "confirmed", 2]]);
    expect(realpathSync(agent.host.currentLink)).toBe(target);
    expect(realpathSync(agent.host.profile)).toBe(target);
    expect(Object.fromEntries(assignments(started.id))).toEqual({ [name]: 2 });
    expect(markerLines(name).slice(markerAtRestart)).toEqual([
      `${tagOf(previous)} switch`,
      `${tagOf(target)} switch`,
    ]);
    // The other hosts were never touched by this rollout.
    for (const h of HOSTS.filter((x) => x !== name))
      expect(readlinkSync(fleet.agents.get(h)!.host.currentLink)).not.toBe(release.paths.get(h));
  }, 300_000);
});
