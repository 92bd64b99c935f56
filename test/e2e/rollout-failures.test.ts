/**
 * Rollouts that go wrong, end to end over real processes (control plane with mTLS, one agent per host, the CLI)
 * and real Nix generations:
 *
 * 1. a host whose agent is dead is assigned; at the rollout's health timeout it counts as unreachable, its batch
 *    fails and the rollout pauses;
 * 2. a host's health check fails after the switch because a service outside the store path (its local database)
 *    is down; its agent rolls back, the batch fails and the rollout pauses; the operator starts the database and
 *    retries, and the rollout completes with every host on the new generation;
 * 3. onFailure revert: batch 1 succeeds, batch 2 fails, and the control plane rolls the updated hosts back to
 *    their previous generation;
 * 4. a revert that starts while a host of the failed batch is still verifying: the host's confirmation is refused,
 *    it rolls itself back, and the revert counts it back on its previous generation.
 *
 * The failing host of scenarios 2 and 3 is chosen from `rollout plan` (the rollout id seeds the host order) and
 * the rollout is started with that id; in scenario 4 the test decides when each host's health check ends. So each
 * scenario takes the same path on every run. Each scenario has its own fleet on the one control plane, and the
 * scenarios run side by side.
 */
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { HealthCheck } from "../../schemas/generated/health-check.js";
import type { Rollout, RolloutHost } from "../../schemas/generated/rollout.js";
import type { RolloutEvent } from "../../schemas/generated/rollout-event.js";
import type { RolloutPlan } from "../../schemas/generated/rollout-plan.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, enforceEvalTimeNis2, type TestFleet } from "../harness/fleet.js";
import { freePort } from "../harness/ports.js";
import { eventually } from "../harness/processes.js";
import { cleanupAll, onCleanup, tempDir } from "../harness/temp.js";

const QUIET = ["quiet-01", "quiet-02"];
const APP = ["app-01", "app-02", "app-03"];
const REV = ["rev-01", "rev-02", "rev-03"];
const LATE = ["late-01", "late-02"];
type TeamName = "quiet" | "app" | "rev" | "late";

let plane: TestControlPlane;
/** One fleet per scenario on the one control plane, each with its own release (v2, every system good). */
interface Team {
  fleet: TestFleet;
  release: { id: string; paths: Map<string, string> };
}
const teams = new Map<TeamName, Team>();
/** the loopback port of each app/rev host's local database, which its agent's health check probes */
const databasePorts = new Map<string, number>();
/** written by the test when late-02's service has warmed up */
let warmupReadyFile: string;
/** late-01's schema migration result, written by the test once both late hosts are verifying */
let migrationResultFile: string;

function team(name: TeamName): Team {
  return teams.get(name)!;
}

/** The team a host belongs to, for its agent, its v1 and its v2. */
function teamOf(host: string): Team {
  for (const t of teams.values()) if (t.fleet.agents.has(host)) return t;
  throw new Error(`no fleet has a host ${host}`);
}
const initialOf = (host: string) => teamOf(host).fleet.initial.get(host)!;
const v2Of = (host: string) => teamOf(host).release.paths.get(host)!;

/** The health check the NixOS module of an app host adds: its local database accepts connections. */
function databaseCheck(port: number): HealthCheck {
  return {
    name: "app-database",
    kind: "tcp",
    host: "127.0.0.1",
    port,
    retries: 2,
    intervalMs: 200,
    failureThreshold: 2,
    timeoutMs: 2000,
  };
}

/**
 * The health check of a service that needs time to warm up after a switch: it passes once the service has
 * written its ready file (here: once the test writes it), and keeps the agent verifying until then.
 */
function warmupCheck(readyFile: string): HealthCheck {
  return {
    name: "app-warmup",
    kind: "command",
    command: ["/bin/sh", "-c", `test -e ${readyFile}`],
    retries: 200,
    intervalMs: 250,
    failureThreshold: 1000,
    timeoutMs: 2000,
  };
}

/**
 * The health check of a host whose new generation runs a schema migration job after the switch: it waits for
 * the job's result file and passes only when the job says ok.
 */
function migrationCheck(resultFile: string): HealthCheck {
  return {
    name: "app-migration",
    kind: "command",
    command: ["/bin/sh", "-c", `while [ ! -e ${resultFile} ]; do sleep 0.2; done; grep -qx ok ${resultFile}`],
    retries: 0,
    failureThreshold: 1,
    timeoutMs: 80_000,
  };
}

/** Starts host's database (a TCP listener on its port): what the operator does to fix the host. */
async function startDatabase(host: string): Promise<void> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(databasePorts.get(host)!, "127.0.0.1", () => resolve());
  });
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** Every event of a rollout, oldest first (GET /api/v1/rollouts/{id}/events). */
async function eventsOf(id: string): Promise<RolloutEvent[]> {
  const page = await plane.api<{ items: RolloutEvent[] }>("GET", `/api/v1/rollouts/${id}/events?after=0`);
  if (page.status !== 200) throw new Error(`events of ${id}: ${page.status} ${page.text}`);
  return page.body.items;
}

/** A rollout with its gate decisions, for assertion messages: what an operator would look at. */
async function explain(r: Rollout): Promise<string> {
  const gates = await plane.api("GET", `/api/v1/rollouts/${r.id}/gate-decisions`);
  return `${JSON.stringify(r, null, 1)}\ngate decisions: ${gates.text.slice(0, 6000)}`;
}

function hostIn(r: Rollout, machineId: string): RolloutHost {
  const h = r.hosts?.find((x) => x.machineId === machineId);
  if (!h) throw new Error(`rollout ${r.id} lists no host ${machineId}: ${JSON.stringify(r.hosts)}`);
  return h;
}

/** The test system's tag, as its switch-to-configuration writes it to the host's activation marker. */
function tagOf(storePath: string): string {
  return basename(storePath).replace(/^[a-z0-9]{32}-nixfleet-e2e-system-/, "");
}

/** The tags of the systems activated on a host, in order (first the installer's v1). */
function activations(host: string): string[] {
  return readFileSync(teamOf(host).fleet.agents.get(host)!.host.marker, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(" ")[0]!);
}

function currentSystem(host: string): string {
  return readlinkSync(teamOf(host).fleet.agents.get(host)!.host.currentLink);
}

beforeAll(async () => {
  // agents poll every 0.5 s: these scenarios wait on each step of a rollout
  plane = await startControlPlane({ pollAfterMs: 500 });
  warmupReadyFile = join(tempDir(), "late-02-ready");
  migrationResultFile = join(tempDir(), "late-01-migration");
  const prepare = async (
    name: TeamName,
    hosts: string[],
    checks: (host: string) => Promise<HealthCheck[]>,
  ) => {
    const fleet = await createFleet(
      plane,
      hosts.map((host) => ({ name: host, tags: [`team:${name}`] })),
    );
    // Checks the host's NixOS module adds to the system's own bin/health: dependencies outside the store path,
    // which a new generation cannot fix and an operator can.
    for (const host of hosts) {
      const agent = fleet.agents.get(host)!;
      agent.config.healthChecks = [...(agent.config.healthChecks ?? []), ...(await checks(host))];
      writeFileSync(agent.configFile, JSON.stringify(agent.config, null, 2));
    }
    fleet.startAgents();
    teams.set(name, { fleet, release: await fleet.release("v2") });
  };
  const database = async (host: string) => {
    const port = await freePort();
    databasePorts.set(host, port);
    return [databaseCheck(port)];
  };
  // late-01 waits for its migration job, late-02 for its service to warm up: the test decides when each ends
  const late = async (host: string) =>
    host === "late-02" ? [warmupCheck(warmupReadyFile)] : [migrationCheck(migrationResultFile)];
  // the fleets are independent: preparing them side by side saves most of the setup time
  await Promise.all([
    prepare("quiet", QUIET, async () => []),
    prepare("app", APP, database),
    prepare("rev", REV, database),
    prepare("late", LATE, late),
  ]);
  // a governed fleet as in the canary scenario (one policy for the control plane all teams share)
  await enforceEvalTimeNis2(team("quiet").fleet);
}, 300_000);
afterAll(cleanupAll);

// The scenarios use disjoint fleets and rollouts: they run side by side (the silent agent's wait costs no time).
describe.concurrent("rollout failures", () => {
  it("silent agent: counts the host as unreachable at the health timeout, fails its batch and pauses the rollout", async ({
    expect,
  }) => {
    const { fleet, release } = team("quiet");
    const silent = "quiet-02";
    // the agent was alive (the control plane knows what it runs), then it died
    await eventually(
      `${silent} to report its running system`,
      async () => {
        const m = await plane.api<{ currentStorePath?: string | null }>("GET", `/api/v1/machines/${silent}`);
        return m.body.currentStorePath === initialOf(silent);
      },
      60_000,
      300,
    );
    await fleet.agents.get(silent)!.process!.stop();

    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "all-at-once",
      "--tag",
      "team:quiet",
      "--health-timeout",
      "15s",
      "--confirm-window",
      "15s",
    ]);
    const paused = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "paused",
      "the rollout to pause",
      120_000,
    );
    expect(paused.pauseReason, await explain(paused)).toBe("batch-failed");
    expect(
      paused.batches.map((b) => [b.phase, b.confirmed, b.failed]),
      JSON.stringify(paused.hosts),
    ).toEqual([["failed", 1, 1]]);
    expect(paused.failedHosts).toBe(1);
    const dead = hostIn(paused, silent);
    expect(dead.outcome).toBe("unreachable");
    expect(dead.reason).toBe("no final outcome within 30000 ms of assignment");
    // the live host of the same batch was not held back by the dead one
    expect(hostIn(paused, "quiet-01").outcome).toBe("confirmed");
    expect(currentSystem("quiet-01")).toBe(v2Of("quiet-01"));
    expect(currentSystem(silent)).toBe(initialOf(silent));

    const events = await eventsOf(started.id);
    const failed = events.find((e) => e.kind === "host.failed");
    expect(failed).toMatchObject({
      machineId: silent,
      batch: 0,
      message: "unreachable: no final outcome within 30000 ms of assignment",
    });
    // the deadline is the health timeout plus the confirm window after assignment, never earlier
    expect(Date.parse(failed!.at) - Date.parse(dead.assignedAt!)).toBeGreaterThanOrEqual(30_000);
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["batch.started", "host.failed", "batch.failed", "rollout.paused"]),
    );
    expect(events.find((e) => e.kind === "batch.failed")?.message).toBe("1 of 2 host(s) failed");
    expect(events.at(-1)).toMatchObject({
      kind: "rollout.paused",
      message: "batch 1 crossed its failure threshold",
    });

    // resume accepts the failed batch as it is (the dead host stays behind): the rollout ends, quiet-02 untouched
    const resumed = await fleet.cli<Rollout>(["rollout", "resume", started.id]);
    expect(resumed.status).toBe("succeeded");
    const done = await fleet.cli<Rollout>(["rollout", "status", started.id, "--hosts", "all"]);
    expect(done.batches[0]).toMatchObject({ phase: "passed", accepted: true, failed: 1 });
    expect(hostIn(done, silent).outcome).toBe("unreachable");
    expect((await eventsOf(started.id)).at(-1)).toMatchObject({
      kind: "rollout.succeeded",
      message: "1 of 2 host(s) updated",
    });
  }, 240_000);

  it("failing health check: rolls the host back and pauses; after the operator fixes the host, retry completes the rollout", async ({
    expect,
  }) => {
    const { fleet, release } = team("app");
    const spec = [
      "--release",
      release.id,
      "--strategy",
      "canary",
      "--tag",
      "team:app",
      "--failure-threshold",
      "0",
      "--health-timeout",
      "20s",
      "--confirm-window",
      "20s",
    ];
    const plan = await fleet.cli<RolloutPlan>(["rollout", "plan", ...spec]);
    expect(plan.batches.map((b) => b.hosts.length)).toEqual([1, 2]);
    // the host whose database is down is the first of the second batch: the canary passes, batch 2 fails
    const broken = plan.batches[1]!.hosts[0]!;
    const healthy = APP.filter((h) => h !== broken);
    for (const h of healthy) await startDatabase(h);

    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      ...spec,
      "--id",
      plan.rolloutId,
    ]);
    expect(started.id).toBe(plan.rolloutId);
    const paused = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "paused",
      "the rollout to pause on the failing host",
      120_000,
    );
    expect(paused.pauseReason, await explain(paused)).toBe("batch-failed");
    expect(paused.currentBatch).toBe(1);
    expect(
      paused.batches.map((b) => [b.phase, b.confirmed, b.failed]),
      JSON.stringify(paused.hosts),
    ).toEqual([
      ["passed", 1, 0],
      ["failed", 1, 1],
    ]);
    const failing = hostIn(paused, broken);
    expect(failing.outcome).toBe("rolled-back");
    expect(failing.attempt).toBe(1);
    expect(failing.reason).toContain("health checks failed: app-database fail");
    expect(failing.reason).toContain(`127.0.0.1:${databasePorts.get(broken)}: ECONNREFUSED`);
    // the agent switched to v2, the check failed, and it activated v1 again
    expect(currentSystem(broken)).toBe(initialOf(broken));
    expect(activations(broken)).toEqual([
      tagOf(initialOf(broken)!),
      tagOf(v2Of(broken)!),
      tagOf(initialOf(broken)!),
    ]);
    for (const h of healthy) expect(currentSystem(h)).toBe(v2Of(h));
    const pausedEvents = await eventsOf(started.id);
    expect(pausedEvents.find((e) => e.kind === "host.failed")).toMatchObject({
      machineId: broken,
      batch: 1,
    });
    expect(pausedEvents.find((e) => e.kind === "host.failed")?.message).toMatch(
      /^rolled-back: health checks failed: app-database fail/,
    );
    expect(pausedEvents.at(-1)).toMatchObject({
      kind: "rollout.paused",
      message: "batch 2 crossed its failure threshold",
    });

    // Retrying before the cause is fixed fails the same way: the retry itself repairs nothing.
    const retried = await fleet.cli<Rollout>(["rollout", "retry", started.id]);
    expect(retried.status).toBe("running");
    const again = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "paused" && hostIn(r, broken).attempt === 2,
      "the unfixed retry to pause again",
      120_000,
    );
    expect(hostIn(again, broken).outcome).toBe("rolled-back");
    expect(hostIn(again, broken).reason).toContain("app-database fail");
    expect(currentSystem(broken)).toBe(initialOf(broken));

    // The operator starts the host's database, then queues the failed host again.
    await startDatabase(broken);
    await fleet.cli<Rollout>(["rollout", "retry", started.id]);
    const done = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "succeeded",
      "the fixed rollout to complete",
      120_000,
    );
    expect(done.failedHosts).toBe(0);
    expect(done.batches.map((b) => [b.phase, b.confirmed, b.failed, b.accepted])).toEqual([
      ["passed", 1, 0, false],
      ["passed", 2, 0, false],
    ]);
    expect(done.hosts?.map((h) => [h.machineId, h.outcome])).toEqual(
      plan.batches.flatMap((b) => b.hosts).map((h) => [h, "confirmed"]),
    );
    expect(hostIn(done, broken).attempt).toBe(3);
    for (const h of APP) expect(currentSystem(h)).toBe(v2Of(h));
    const kinds = (await eventsOf(started.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === "rollout.retried")).toHaveLength(2);
    expect(kinds.at(-1)).toBe("rollout.succeeded");
  }, 300_000);

  it("onFailure revert: rolls the hosts of the succeeded batch back to their previous generation when a later batch fails", async ({
    expect,
  }) => {
    const { fleet, release } = team("rev");
    const spec = [
      "--release",
      release.id,
      "--strategy",
      "staged",
      "--batches",
      "2,100%",
      "--on-failure",
      "revert",
      "--tag",
      "team:rev",
      "--health-timeout",
      "20s",
      "--confirm-window",
      "20s",
    ];
    const plan = await fleet.cli<RolloutPlan>(["rollout", "plan", ...spec]);
    expect(plan.batches.map((b) => b.hosts.length)).toEqual([2, 1]);
    const [first, second] = plan.batches.map((b) => b.hosts) as [string[], string[]];
    const broken = second[0]!;
    for (const h of first) await startDatabase(h);

    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      ...spec,
      "--id",
      plan.rolloutId,
    ]);
    const failed = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "failed" && Boolean(r.revertRolloutId),
      "the rollout to fail and start its revert",
      120_000,
    );
    expect(failed.failureReason, await explain(failed)).toBe("batch-failed");
    expect(failed.pauseReason ?? null).toBeNull();
    expect(failed.batches.map((b) => [b.phase, b.confirmed, b.failed])).toEqual([
      ["passed", 2, 0],
      ["failed", 0, 1],
    ]);
    for (const h of first) expect(hostIn(failed, h).outcome).toBe("confirmed");
    expect(hostIn(failed, broken).outcome).toBe("rolled-back");

    const revertId = failed.revertRolloutId!;
    const reverted = await fleet.waitForRollout(
      revertId,
      (r) => r.status === "succeeded",
      "the revert to finish",
      120_000,
    );
    expect(reverted.rollbackOf).toBe(started.id);
    expect(reverted.releaseId).toBeNull();
    // every host the failed rollout touched goes back to the generation it ran before
    expect(new Set(reverted.hosts?.map((h) => h.machineId))).toEqual(new Set(REV));
    for (const h of reverted.hosts ?? []) {
      expect(h.outcome, h.machineId).toBe("confirmed");
      expect(h.storePath, h.machineId).toBe(initialOf(h.machineId));
    }
    // the host that rolled itself back already ran its previous generation: nothing to do
    expect(hostIn(reverted, broken).reason).toBe("already running the target generation");
    for (const h of REV) expect(currentSystem(h), h).toBe(initialOf(h));
    // the succeeded batch really ran v2 and was switched back to v1 by the revert
    for (const h of first)
      expect(activations(h), h).toEqual([tagOf(initialOf(h)!), tagOf(v2Of(h)!), tagOf(initialOf(h)!)]);

    const events = await eventsOf(started.id);
    expect(events.at(-1)).toMatchObject({
      kind: "rollout.failed",
      message: "batch 2 crossed its failure threshold",
    });
    expect((await eventsOf(revertId)).at(-1)).toMatchObject({
      kind: "rollout.succeeded",
      message: "3 of 3 host(s) updated",
    });
    const original = await fleet.cli<Rollout>(["rollout", "status", started.id]);
    expect(original.status).toBe("failed");
    expect(original.revertRolloutId).toBe(revertId);
  }, 300_000);

  it("revert while a host still verifies: the host rolls itself back on the refused confirmation and the revert counts it back", async ({
    expect,
  }) => {
    const { fleet } = team("late");
    const [broken, slow] = LATE as [string, string];
    const { release } = team("late");
    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "all-at-once",
      "--on-failure",
      "revert",
      "--tag",
      "team:late",
      "--health-timeout",
      "90s",
      "--confirm-window",
      "90s",
    ]);
    // both hosts switched to v2 and are verifying; then late-01's migration fails, which fails the batch
    await fleet.waitForRollout(
      started.id,
      (r) => LATE.every((h) => hostIn(r, h).outcome === "verifying"),
      "both late hosts to verify v2",
      120_000,
    );
    writeFileSync(migrationResultFile, "failed\n");
    const failed = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "failed" && Boolean(r.revertRolloutId),
      "the rollout to fail on late-01 and start its revert",
      120_000,
    );
    expect(failed.failureReason, await explain(failed)).toBe("batch-failed");
    expect(hostIn(failed, broken)).toMatchObject({ outcome: "rolled-back" });
    expect(hostIn(failed, broken).reason).toContain("health checks failed: app-migration fail");
    // late-02 runs v2 and is still waiting for its service when the revert assigns it v1 again
    expect(hostIn(failed, slow).outcome).toBe("verifying");
    expect(currentSystem(slow)).toBe(v2Of(slow));
    const revertId = failed.revertRolloutId!;
    const inRevert = await fleet.cli<Rollout>(["rollout", "status", revertId, "--hosts", "all"]);
    expect(hostIn(inRevert, slow)).toMatchObject({ outcome: "pending", storePath: initialOf(slow) });

    // The service warms up: late-02's checks pass, its confirmation of v2 is refused (v2 is no longer wanted)
    // and its agent rolls back to v1 under the failed rollout's id. The revert must see late-02 arrive.
    writeFileSync(warmupReadyFile, "ready\n");
    const reverted = await fleet.waitForRollout(
      revertId,
      (r) => r.status === "succeeded",
      "the revert to count late-02 back on v1",
      90_000,
    );
    expect(hostIn(reverted, slow)).toMatchObject({
      outcome: "confirmed",
      reason: "running the target generation",
    });
    expect(hostIn(reverted, broken)).toMatchObject({
      outcome: "confirmed",
      reason: "already running the target generation",
    });
    for (const h of LATE) expect(currentSystem(h), h).toBe(initialOf(h));
    expect(activations(slow)).toEqual([tagOf(initialOf(slow)), tagOf(v2Of(slow)), tagOf(initialOf(slow))]);
    const reports = await plane.api<{ items: { state: string; rolloutId?: string; reason?: string }[] }>(
      "GET",
      `/api/v1/machines/${slow}/reports?rolloutId=${started.id}`,
    );
    expect(reports.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          state: "rolled-back",
          rolloutId: started.id,
          reason: "the control plane no longer wants this generation (409 on confirm)",
        }),
      ]),
    );
  }, 300_000);
});
