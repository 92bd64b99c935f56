/**
 * A revert that starts while a host of the failed rollout is still verifying its new generation: the host's agent
 * learns from the 409 on its confirmation that the generation is no longer wanted, rolls itself back to the
 * previous generation under the failed rollout's id, and from then on runs exactly what the rollback assigned —
 * so it says nothing more (an agent on its target is "up to date"). The rollback must count that host as back,
 * not wait out its health timeout and confirm window (15 minutes by default) and call it unreachable.
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

describe("revert with a host still in flight", () => {
  it("counts the host that rolled itself back under the failed rollout as back on its previous generation", async () => {
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
        body: {
          machineId: slow.machineId,
          reportedAt: new Date(f.plane.clock.now()).toISOString(),
          ...body,
        },
      });
      expect(res.status).toBe(202);
    };
    // slow has switched to v2 and is running its health checks when broken's failure fails the rollout
    await report({ state: "verifying", rolloutId: id, storePath: v2, currentStorePath: v2 });
    await broken.poll();
    f.plane.clock.advance(1_000);
    f.scheduler.tick();
    const failed = await show(f, id);
    expect(failed.status).toBe("failed");
    const revertId = failed.revertRolloutId!;
    expect(revertId).toBeTruthy();
    const revert = await show(f, revertId);
    expect(revert.hosts?.find((h) => h.machineId === slow.machineId)).toMatchObject({
      outcome: "pending",
      storePath: v1,
    });

    // slow's checks pass; its confirmation is refused (v2 is no longer desired) and it rolls back to v1
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

    const done = await show(f, revertId);
    expect(done.status).toBe("succeeded");
    expect(done.hosts?.map((h) => [h.machineId, h.outcome])).toEqual(
      expect.arrayContaining([
        [broken.machineId, "confirmed"],
        [slow.machineId, "confirmed"],
      ]),
    );
    expect(done.hosts?.find((h) => h.machineId === slow.machineId)?.reason).toBe(
      "running the target generation",
    );
  });
});
