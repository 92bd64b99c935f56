/** Governed rollouts end to end: canary success over four agent processes with real Nix and mTLS. */
import { readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, enforceEvalTimeNis2, type TestFleet } from "../harness/fleet.js";
import { cleanupAll } from "../harness/temp.js";

let plane: TestControlPlane;
let fleet: TestFleet;

beforeAll(async () => {
  plane = await startControlPlane({ pollAfterMs: 500 });
  fleet = await createFleet(
    plane,
    ["web-01", "web-02", "web-03", "web-04"].map((name) => ({ name, tags: ["role:web"] })),
  );
  await enforceEvalTimeNis2(fleet);
  fleet.startAgents();
}, 300_000);
afterAll(cleanupAll);

describe("canary rollout", () => {
  it("updates one host, then the rest, and every host confirms the new generation", async () => {
    const release = await fleet.release("v2");
    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "canary",
      "--tag",
      "role:web",
      "--health-timeout",
      "30s",
      "--confirm-window",
      "30s",
    ]);
    expect(started.batches.map((b) => b.size)).toEqual([1, 3]);
    const done = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "succeeded",
      "the rollout to finish",
      90_000,
    );
    expect(done.status, JSON.stringify(done, null, 1)).toBe("succeeded");
    expect(done.hosts?.map((h) => h.outcome)).toEqual(["confirmed", "confirmed", "confirmed", "confirmed"]);
    for (const [name, agent] of fleet.agents)
      expect(readlinkSync(agent.host.currentLink)).toBe(release.paths.get(name));
  }, 240_000);
});
