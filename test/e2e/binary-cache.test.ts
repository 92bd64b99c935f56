/**
 * A release fetched by the agents from a signed binary cache, end to end: the release's toplevels are built,
 * copied into a file:// binary cache signed with a key from `nix-store --generate-binary-cache-key`, and deleted
 * from the local store; agents configured with the cache URL and its public key fetch them with `nix copy --from`
 * and confirm. An agent that trusts another key refuses its path and the host fails with the signature reason.
 *
 * Every agent on this machine shares the one Nix store, so each host gets its own toplevel (the fleet harness
 * bakes the host's directory into it) and the assertions look at each host's own path: absent before the
 * rollout, present after only for the hosts that fetched it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, enforceEvalTimeNis2, type TestFleet } from "../harness/fleet.js";
import { nixEnv } from "../harness/nix.js";
import { eventually } from "../harness/processes.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

const TRUSTING = ["bc-01", "bc-02", "bc-03"];
const DISTRUSTING = "bc-04";

let plane: TestControlPlane;
let fleet: TestFleet;
let cacheDir: string;
let cacheUrl: string;
let secretKey: string;
let publicKey: string;
let release: { id: string; paths: Map<string, string> };

/** A signing key pair made with `nix-store --generate-binary-cache-key NAME SECRET PUBLIC`. */
function generateKey(dir: string, name: string): { secret: string; public: string } {
  const secret = join(dir, `${name}.secret`);
  const pub = join(dir, `${name}.public`);
  execFileSync("nix-store", ["--generate-binary-cache-key", name, secret, pub], { env: nixEnv() });
  return { secret, public: readFileSync(pub, "utf8").trim() };
}

function inLocalStore(storePath: string): boolean {
  return (
    spawnSync("nix-store", ["--check-validity", storePath], { env: nixEnv(), stdio: "ignore" }).status === 0
  );
}

/** The narinfo the cache holds for a store path (keyed by the path's hash part). */
function narinfo(storePath: string): string {
  return readFileSync(join(cacheDir, `${basename(storePath).slice(0, 32)}.narinfo`), "utf8");
}

function agentLog(name: string): string {
  const p = fleet.agents.get(name)!.process;
  return p ? p.stdout() + p.stderr() : "";
}

async function rollout(id: string): Promise<Rollout> {
  const answer = await plane.api<Rollout>("GET", `/api/v1/rollouts/${id}?hosts=all`);
  if (answer.status !== 200) throw new Error(`GET rollout ${id}: ${answer.status} ${answer.text}`);
  return answer.body;
}

async function waitSettled(id: string): Promise<Rollout> {
  let last: Rollout | undefined;
  try {
    return await eventually(
      `rollout ${id} to stop running`,
      async () => {
        last = await rollout(id);
        return last.status !== "running" && last.status !== "pending" ? last : undefined;
      },
      150_000,
      300,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast: ${JSON.stringify(last)?.slice(0, 3000)}`);
  }
}

beforeAll(async () => {
  const keys = tempDir("nixfleet-cache-keys-");
  const signing = generateKey(keys, "nixfleet-e2e-cache-1");
  const other = generateKey(keys, "nixfleet-e2e-other-1");
  secretKey = signing.secret;
  publicKey = signing.public;
  cacheDir = join(tempDir("nixfleet-cache-"), "cache");
  cacheUrl = `file://${cacheDir}`;

  // agents poll every 0.5 s: these scenarios wait on each step of a rollout
  plane = await startControlPlane({ pollAfterMs: 500 });
  fleet = await createFleet(plane, [
    ...TRUSTING.map((name) => ({
      name,
      tags: ["cache:trusting"],
      agent: { cacheUrl, trustedPublicKeys: [publicKey], checkSignatures: true },
    })),
    {
      name: DISTRUSTING,
      tags: ["cache:distrusting"],
      // the same cache, but it trusts only a key that did not sign anything there
      agent: { cacheUrl, trustedPublicKeys: [other.public], checkSignatures: true },
    },
  ]);
  await enforceEvalTimeNis2(fleet);

  // What CI does: build the release, push the toplevels to the signed cache; then the hosts do not have them.
  release = await fleet.release("v2");
  const paths = [...release.paths.values()];
  execFileSync("nix", ["copy", "--to", `${cacheUrl}?secret-key=${secretKey}`, ...paths], {
    env: nixEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  // --no-link builds leave no GC root, so the toplevels can go (a referenced path would make this fail)
  execFileSync("nix-store", ["--delete", ...paths], { env: nixEnv(), stdio: ["ignore", "ignore", "pipe"] });
  fleet.startAgents();
}, 300_000);
afterAll(cleanupAll);

describe("release fetched from a signed binary cache", () => {
  it("every trusting host copies its toplevel from the cache, activates and confirms", async () => {
    const keyName = publicKey.split(":")[0];
    for (const [name, path] of release.paths) {
      expect(inLocalStore(path), `${name}'s toplevel must be absent before the rollout`).toBe(false);
      expect(narinfo(path)).toMatch(new RegExp(`^Sig: ${keyName}:`, "m"));
    }
    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "all-at-once",
      "--tag",
      "cache:trusting",
      "--health-timeout",
      "60s",
      "--confirm-window",
      "60s",
    ]);
    const done = await waitSettled(started.id);
    expect(done.status, JSON.stringify(done.hosts)).toBe("succeeded");
    expect(done.hosts?.map((h) => [h.machineId, h.outcome]).sort()).toEqual(
      TRUSTING.map((h) => [h, "confirmed"]),
    );
    for (const name of TRUSTING) {
      const path = release.paths.get(name)!;
      const agent = fleet.agents.get(name)!;
      expect(inLocalStore(path), `${name}'s toplevel after the rollout`).toBe(true);
      expect(realpathSync(agent.host.profile)).toBe(path);
      expect(readlinkSync(agent.host.currentLink)).toBe(path);
      // the agent itself copied it (not found already present): its own log says where from
      expect(agentLog(name)).toContain(`copied ${path} from ${cacheUrl}`);
      expect(agentLog(name)).not.toContain(`${path} is already in the local store`);
    }
    // nobody fetched the distrusting host's toplevel on its behalf
    expect(inLocalStore(release.paths.get(DISTRUSTING)!)).toBe(false);
  }, 240_000);

  it("a host trusting another key refuses the path: it fails with the signature reason and stays where it was", async () => {
    const path = release.paths.get(DISTRUSTING)!;
    const agent = fleet.agents.get(DISTRUSTING)!;
    const before = realpathSync(agent.host.currentLink);
    expect(before).toBe(fleet.initial.get(DISTRUSTING));
    const { rollout: started } = await fleet.cli<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--release",
      release.id,
      "--strategy",
      "all-at-once",
      "--host",
      DISTRUSTING,
      "--health-timeout",
      "60s",
      "--confirm-window",
      "60s",
    ]);
    const settled = await waitSettled(started.id);
    expect(settled.status).toBe("paused");
    expect(settled.pauseReason).toBe("batch-failed");
    const [host] = settled.hosts ?? [];
    expect(host?.machineId).toBe(DISTRUSTING);
    expect(host?.outcome).toBe("failed");
    expect(host?.reason).toMatch(/^fetch failed: nix copy --from/);
    expect(host?.reason).toContain("lacks a valid signature");
    expect(host?.reason).toContain(path);
    expect(inLocalStore(path)).toBe(false);
    // nothing was switched: profile and running system are still the first generation
    expect(realpathSync(agent.host.profile)).toBe(before);
    expect(realpathSync(agent.host.currentLink)).toBe(before);
  }, 240_000);
});
