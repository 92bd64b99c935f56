/**
 * A revert that starts while a host of the failed rollout is still on its way to the new generation: the host's
 * agent learns from the 409 on its confirmation that the generation is no longer wanted, rolls itself back to the
 * previous generation under the failed rollout's id, and from then on runs exactly what the rollback assigned —
 * so it says nothing more (an agent on its target is "up to date"). The rollback must count that host as back
 * once it is, neither before (while it is still switching away) nor never (waiting out its health timeout and
 * confirm window, 15 minutes by default, and calling it unreachable).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { buildFleet, type Fleet, type SimAgent, storePath } from "../../test/rollout/harness.js";

let fleet: Fleet | undefined;
afterEach(() => {
  fleet?.close();
  fleet = undefined;
});

async function show(f: Fleet, id: string): Promise<Rollout> {
  const res = await f.plane.json<Rollout>("GET", `/api/v1/rollouts/${id}?hosts=all`, {
    token: f.plane.tokens.auditor,
  });
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * Two hosts in one batch with onFailure revert. `broken` fails (and rolls back) on its own; `slow` is driven by
 * hand: it reports `progress` about the new generation, then the scheduler sees `broken`'s failure and reverts.
 */
async function revertWhileSlowIs(progress: { state: string; switched: boolean }) {
  fleet = await buildFleet({ hosts: 2 });
  const f = fleet;
  const [broken, slow] = [...f.agents.values()] as [SimAgent, SimAgent];
  broken.behaviour = "rollback";
  const started = await f.plane.json<{ rollout: Rollout }>("POST", "/api/v1/rollouts", {
    token: f.plane.tokens.operator,
    body: {
      releaseId: f.releaseId,
      spec: { strategy: "all-at-once", onFailure: "revert", targets: { all: true } },
    },
  });
  expect(started.status).toBe(201);
  const id = started.body.rollout.id;
  f.scheduler.tick();

  const v1 = storePath("gen0", slow.machineId);
  const v2 = storePath("gen1", slow.machineId);
  const report = async (body: Record<string, unknown>) => {
    const res = await f.plane.call("POST", `/api/v1/agents/${slow.machineId}/report`, {
      token: slow.token,
      body: { machineId: slow.machineId, reportedAt: new Date(f.plane.clock.now()).toISOString(), ...body },
    });
    expect(res.status).toBe(202);
  };
  await report({
    state: progress.state,
    rolloutId: id,
    storePath: v2,
    currentStorePath: progress.switched ? v2 : v1,
  });
  await broken.poll();
  f.plane.clock.advance(1_000);
  f.scheduler.tick();
  const failed = await show(f, id);
  expect(failed.status).toBe("failed");
  expect(failed.revertRolloutId).toBeTruthy();
  const revertId = failed.revertRolloutId!;
  // the revert assigned v1 to slow, which has not got there yet
  expect((await show(f, revertId)).hosts?.find((h) => h.machineId === slow.machineId)).toMatchObject({
    outcome: "pending",
    storePath: v1,
  });

  /** slow's checks of v2 pass, its confirmation is refused (v2 is no longer desired), and it rolls back */
  const rollBack = async () => {
    const confirm = await f.plane.call("POST", `/api/v1/agents/${slow.machineId}/confirm`, {
      token: slow.token,
      body: { machineId: slow.machineId, rolloutId: id, storePath: v2 },
    });
    expect(confirm.status).toBe(409);
    await report({
      state: "rolled-back",
      rolloutId: id,
      storePath: v2,
      currentStorePath: v1,
      reason: "the control plane no longer wants this generation (409 on confirm)",
    });
    f.plane.clock.advance(1_000);
    f.scheduler.tick();
    f.scheduler.tick();
  };
  return { f, broken, slow, id, revertId, report, rollBack, v2 };
}

describe("revert with a host still in flight", () => {
  it("counts a host that was verifying as back once it rolled itself back under the failed rollout", async () => {
    const { f, broken, slow, revertId, rollBack } = await revertWhileSlowIs({
      state: "verifying",
      switched: true,
    });
    await rollBack();
    const done = await show(f, revertId);
    expect(done.status).toBe("succeeded");
    expect(done.hosts?.map((h) => [h.machineId, h.outcome, h.reason])).toEqual(
      expect.arrayContaining([
        [broken.machineId, "confirmed", "already running the target generation"],
        [slow.machineId, "confirmed", "running the target generation"],
      ]),
    );
  });

  it("does not take a host that is still applying the new generation for one already back", async () => {
    const { f, slow, id, revertId, report, rollBack, v2 } = await revertWhileSlowIs({
      state: "applying",
      switched: false,
    });
    // it reported v1 as running, but it is switching away from it: not back yet
    f.plane.clock.advance(1_000);
    f.scheduler.tick();
    expect((await show(f, revertId)).status).toBe("running");
    await report({ state: "verifying", rolloutId: id, storePath: v2, currentStorePath: v2 });
    f.scheduler.tick();
    expect((await show(f, revertId)).hosts?.find((h) => h.machineId === slow.machineId)?.outcome).toBe(
      "pending",
    );
    await rollBack();
    const done = await show(f, revertId);
    expect(done.status).toBe("succeeded");
    expect(done.hosts?.find((h) => h.machineId === slow.machineId)).toMatchObject({
      outcome: "confirmed",
      reason: "running the target generation",
    });
  });
});
