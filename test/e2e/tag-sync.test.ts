/**
 * Tag sync end to end (docs/adr/0820-agent-tag-sync.md): three agent processes report the tags their
 * configuration declares; the control plane's inventory follows them, beside the tags operators set; an
 * agent re-tagged in its configuration and restarted moves in the inventory, and a rollout by tag plans and
 * deploys exactly the hosts that now carry the tag. Real control plane (mTLS), real Nix generations, the CLI.
 */
import { readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEventView } from "../../api/audit/queries.js";
import type { Machine } from "../../schemas/generated/machine.js";
import type { Rollout } from "../../schemas/generated/rollout.js";
import type { RolloutPlan } from "../../schemas/generated/rollout-plan.js";
import { runCli } from "../harness/cli.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, type TestFleet } from "../harness/fleet.js";
import { eventually } from "../harness/processes.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

/** the operator's tag, set at registration; the agents' tags, from their configuration files */
const SITE = "site:par";
const DECLARED: Record<string, string[]> = {
  "app-01": ["env:prod", "role:web"],
  "app-02": ["env:prod", "role:web"],
  "app-03": ["env:prod", "role:db"],
};

let plane: TestControlPlane;
let fleet: TestFleet;

async function inventory(tags: string[] = []): Promise<Map<string, Machine>> {
  const list = await fleet.cli<{ items: Machine[] }>([
    "machines",
    "list",
    ...tags.flatMap((t) => ["--tag", t]),
  ]);
  return new Map(list.items.map((m) => [m.id, m]));
}

/** waits until `machines list --json` shows `host` with exactly these tags and agent tags */
async function waitForTags(host: string, tags: string[], agentTags: string[] | undefined): Promise<Machine> {
  let last: Machine | undefined;
  try {
    return await eventually(
      `${host} to carry ${tags.join(",")}`,
      async () => {
        last = (await inventory()).get(host);
        return JSON.stringify([last?.tags, last?.agentTags]) === JSON.stringify([tags, agentTags])
          ? last
          : undefined;
      },
      60_000,
      300,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast seen: ${JSON.stringify(last)}`);
  }
}

/** rewrites the agent's configuration with new tags and restarts its process */
async function retag(host: string, tags: string[]): Promise<void> {
  const agent = fleet.agents.get(host)!;
  await agent.process?.stop(5000);
  writeFileSync(agent.configFile, JSON.stringify({ ...agent.config, tags }, null, 2));
  agent.start();
}

const plannedHosts = (plan: RolloutPlan) => plan.batches.flatMap((b) => b.hosts).sort();

beforeAll(async () => {
  plane = await startControlPlane();
  fleet = await createFleet(
    plane,
    Object.entries(DECLARED).map(([name, tags]) => ({ name, tags: [SITE], agent: { tags } })),
  );
  // one required control every host passes, so plans and rollouts are about targets, not the gate
  const policy = join(tempDir(), "policy.json");
  writeFileSync(
    policy,
    JSON.stringify({ version: 1, requiredControls: ["ssh-no-root-login"], mode: "enforce" }),
  );
  await fleet.cli(["policy", "set", "--file", policy], 0, fleet.adminFlags);
  fleet.startAgents();
}, 300_000);
afterAll(cleanupAll);

describe("tag sync", () => {
  it("the inventory shows each agent's declared tags beside the operator's, and filters on them", async () => {
    for (const [host, declared] of Object.entries(DECLARED))
      await waitForTags(host, [...declared, SITE].sort(), declared);
    expect([...(await inventory(["role:web"])).keys()].sort()).toEqual(["app-01", "app-02"]);
    expect([...(await inventory(["role:db", SITE])).keys()]).toEqual(["app-03"]);
    // each agent's change is in the audit trail, made by that agent
    const audit = await fleet.cli<{ items: AuditEventView[] }>(
      ["audit", "list", "--action", "machine.update", "--target", "app-03"],
      0,
      fleet.adminFlags,
    );
    expect(audit.items).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ kind: "agent", id: "app-03" }),
        before: { tags: [SITE], agentTags: [] },
        after: expect.objectContaining({
          tags: ["env:prod", "role:db", SITE],
          agentTags: ["env:prod", "role:db"],
        }),
      }),
    ]);
  }, 120_000);

  it("an agent re-tagged in its configuration and restarted moves; plan and rollout by tag follow", async () => {
    const release = await fleet.release("v2");
    await retag("app-02", ["env:prod", "role:db"]);
    await waitForTags("app-02", ["env:prod", "role:db", SITE], ["env:prod", "role:db"]);
    expect([...(await inventory(["role:web"])).keys()]).toEqual(["app-01"]);

    const plan = async (tag: string) => {
      const finished = await runCli(
        ["rollout", "plan", "--release", release.id, "--tag", tag, ...fleet.operatorFlags, "--json"],
        { timeoutMs: 120_000 },
      );
      expect(finished.code, finished.stderr).toBe(0);
      return JSON.parse(finished.stdout) as RolloutPlan;
    };
    expect(plannedHosts(await plan("role:db"))).toEqual(["app-02", "app-03"]);
    expect(plannedHosts(await plan("role:web"))).toEqual(["app-01"]);

    // and the rollout by tag deploys exactly those hosts
    const { rollout } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--tag",
      "role:db",
      "--strategy",
      "all-at-once",
      "--health-timeout",
      "30s",
      "--confirm-window",
      "30s",
    ]);
    const done = await fleet.waitForRollout(
      rollout.id,
      (r) => r.status === "succeeded",
      "the rollout by tag",
      120_000,
    );
    expect(done.hosts?.map((h) => [h.machineId, h.outcome]).sort()).toEqual([
      ["app-02", "confirmed"],
      ["app-03", "confirmed"],
    ]);
    for (const host of ["app-02", "app-03"])
      expect(readlinkSync(fleet.agents.get(host)!.host.currentLink), host).toBe(release.paths.get(host));
    expect(readlinkSync(fleet.agents.get("app-01")!.host.currentLink)).toBe(fleet.initial.get("app-01"));
    expect((await plane.api("GET", "/api/v1/machines/app-01/desired")).status).toBe(404);
  }, 300_000);

  it("operators keep their tags, cannot remove an agent's, and an agent declaring none clears only its own", async () => {
    // removing a tag the configuration declares is refused: the next report would bring it back
    const refused = await runCli(
      ["machines", "update", "app-03", "--remove-tag", "role:db", ...fleet.operatorFlags, "--json"],
      { timeoutMs: 60_000 },
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/409/);
    expect(refused.stderr).toContain("role:db is declared by the machine's agent configuration");

    const updated = await fleet.cli<Machine>(["machines", "update", "app-03", "--add-tag", "owner:dba"]);
    expect(updated.tags).toEqual(["env:prod", "owner:dba", "role:db", SITE]);
    expect(updated.agentTags).toEqual(["env:prod", "role:db"]);

    await retag("app-03", []);
    const cleared = await waitForTags("app-03", ["owner:dba", SITE], undefined);
    expect(cleared.agentTags).toBeUndefined();
    expect([...(await inventory(["role:db"])).keys()]).toEqual(["app-02"]);
  }, 120_000);

  it("an agent configuration with a tag the inventory cannot hold is refused at start (exit 2, naming the path)", async () => {
    const agent = fleet.agents.get("app-01")!;
    const bad = join(tempDir(), "agent.json");
    writeFileSync(bad, JSON.stringify({ ...agent.config, tags: ["role:web", "not a tag"] }));
    const checked = await runCli(["agent", "--config", bad, "--check-config", "--json"], {
      timeoutMs: 60_000,
    });
    expect(checked.code, checked.stdout).toBe(2);
    expect(checked.stderr).toContain(bad);
    expect(checked.stderr).toMatch(/\/tags\/1/);
  }, 60_000);
});
