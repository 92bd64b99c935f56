/**
 * Rollout scenarios: a control plane on a real SQLite file, the real scheduler, and simulated agents that
 * speak to the HTTP app exactly as the agent does (desired → report → confirm → evidence) through
 * app.request. The agents' behaviour is the only scripted part: a real agent's outcome depends on a real
 * machine, which a test cannot have.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RolloutScheduler } from "../../api/scheduler/scheduler.js";
import { systemContext } from "../../api/services/context.js";
import { createRelease } from "../../api/services/createRelease.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { DesiredGeneration } from "../../schemas/generated/desired-generation.js";
import type { Policy } from "../../schemas/generated/policy.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import { type TestPlane, testPlane } from "../api/harness.js";

/** The policy the scenarios run under: one eval-only control, one with a runtime check, enforced. */
export const SCENARIO_POLICY: Policy = {
  version: 1,
  requiredControls: ["ssh-no-root-login", "firewall-enabled"],
  mode: "enforce",
};

export function storePath(generation: string, host: string): string {
  const hash = createHash("sha256").update(`${generation}/${host}`).digest("hex").slice(0, 32);
  return `/nix/store/${hash}-nixos-system-${host}`;
}

export function controlResult(
  host: string,
  controlId: string,
  status: ControlResult["status"],
  source: ControlResult["source"],
  collectedAt: string,
): ControlResult {
  return {
    controlId,
    host,
    status,
    source,
    severity: "high",
    observed: status === "pass" ? "ok" : "not ok",
    expected: "ok",
    message: `${controlId} ${status}`,
    mappings: [{ framework: "nis2", requirement: "21.2.i" }],
    collectedAt,
  };
}

export type Behaviour = "ok" | "fail" | "rollback" | "inconclusive" | "silent";

/** A simulated agent: polls its desired generation and reports like the real one, with a scripted outcome. */
export class SimAgent {
  current: string;
  private handled = "";
  readonly token: string;
  constructor(
    public plane: TestPlane,
    readonly machineId: string,
    public behaviour: Behaviour = "ok",
    initial = storePath("gen0", machineId),
  ) {
    this.token = plane.agentToken(machineId);
    this.current = initial;
  }

  private async post(path: string, body: unknown): Promise<number> {
    const res = await this.plane.call("POST", `/api/v1/agents/${this.machineId}/${path}`, {
      token: this.token,
      body,
    });
    return res.status;
  }

  private async report(
    state: string,
    desired: DesiredGeneration,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const status = await this.post("report", {
      machineId: this.machineId,
      rolloutId: desired.rolloutId ?? undefined,
      storePath: desired.storePath ?? undefined,
      state,
      currentStorePath: this.current,
      reportedAt: new Date(this.plane.clock.now()).toISOString(),
      ...extra,
    });
    if (status !== 202) throw new Error(`report ${state} of ${this.machineId} answered ${status}`);
  }

  /** Tells the control plane what runs here (the agent's first report after it starts). */
  async announce(): Promise<void> {
    const status = await this.post("report", {
      machineId: this.machineId,
      state: "idle",
      currentStorePath: this.current,
      reportedAt: new Date(this.plane.clock.now()).toISOString(),
    });
    if (status !== 202) throw new Error(`announce of ${this.machineId} answered ${status}`);
  }

  /** One poll: act on a new desired generation, once. Returns true when it did something. */
  async poll(): Promise<boolean> {
    const res = await this.plane.json<DesiredGeneration>("GET", `/api/v1/agents/${this.machineId}/desired`, {
      token: this.token,
    });
    if (res.status !== 200) throw new Error(`desired of ${this.machineId} answered ${res.status}`);
    const desired = res.body;
    const key = `${desired.rolloutId}:${desired.storePath}`;
    if (!desired.storePath || desired.storePath === this.current || key === this.handled) return false;
    this.handled = key;
    if (this.behaviour === "silent") return false;
    await this.report("fetching", desired);
    await this.report("applying", desired);
    await this.report("verifying", desired);
    const now = new Date(this.plane.clock.now()).toISOString();
    switch (this.behaviour) {
      case "ok": {
        const confirmed = await this.post("confirm", {
          machineId: this.machineId,
          rolloutId: desired.rolloutId,
          storePath: desired.storePath,
        });
        if (confirmed !== 200) {
          await this.report("rolled-back", desired, { reason: `confirm refused (${confirmed})` });
          return true;
        }
        this.current = desired.storePath;
        await this.report("confirmed", desired);
        // runtime evidence for the control that has a runtime check
        await this.post("evidence", {
          machineId: this.machineId,
          items: [
            {
              idempotencyKey: `fw-${this.machineId}-${now}-${desired.storePath.slice(11, 19)}`,
              kind: "control-result",
              collectedAt: now,
              payload: controlResult(this.machineId, "firewall-enabled", "pass", "runtime", now),
            },
          ],
        });
        return true;
      }
      case "fail":
        await this.report("failed", desired, { reason: "health check nginx: connection refused" });
        return true;
      case "rollback":
        await this.report("rolled-back", desired, { reason: "health check failed; rolled back" });
        return true;
      case "inconclusive":
        await this.report("verifying", desired, {
          inconclusive: true,
          reason: "health check http could not run: no route to host",
        });
        return true;
    }
    return false;
  }
}

export interface Fleet {
  plane: TestPlane;
  scheduler: RolloutScheduler;
  agents: Map<string, SimAgent>;
  dir: string;
  dbPath: string;
  releaseId: string;
  close(): void;
}

export interface FleetOptions {
  hosts: number;
  tags?: (i: number) => string[];
  /** eval-time ssh-no-root-login status per host (default pass) */
  sshStatus?: (host: string) => ControlResult["status"];
  policy?: Policy | null;
}

/** A fleet of registered machines with simulated agents, a release for all of them, and the scenario policy. */
export async function buildFleet(options: FleetOptions): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-rollout-"));
  const dbPath = join(dir, "control-plane.sqlite");
  const plane = testPlane({}, dbPath);
  const agents = new Map<string, SimAgent>();
  const ids: string[] = [];
  for (let i = 0; i < options.hosts; i++) {
    const id = `web-${String(i).padStart(3, "0")}`;
    plane.machine(id, options.tags?.(i) ?? ["web"]);
    const agent = new SimAgent(plane, id);
    await agent.announce();
    agents.set(id, agent);
    ids.push(id);
  }
  const releaseId = makeRelease(plane, "gen1", ids, options.sshStatus);
  if (options.policy !== null) {
    const res = await plane.call("PUT", "/api/v1/policy", {
      token: plane.tokens.admin,
      body: options.policy ?? SCENARIO_POLICY,
    });
    if (res.status !== 200) throw new Error(`policy put answered ${res.status}: ${await res.text()}`);
  }
  const scheduler = new RolloutScheduler({ db: plane.db, clock: plane.clock });
  return {
    plane,
    scheduler,
    agents,
    dir,
    dbPath,
    releaseId,
    close() {
      scheduler.stop();
      plane.db.sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Records a release of `generation` for the hosts, with eval-time evidence for the scenario controls. */
export function makeRelease(
  plane: TestPlane,
  generation: string,
  hosts: readonly string[],
  sshStatus: (host: string) => ControlResult["status"] = () => "pass",
): string {
  const at = new Date(plane.clock.now()).toISOString();
  const manifest: ReleaseManifest = { hosts: {}, source: { note: generation } };
  for (const host of hosts)
    manifest.hosts[host] = {
      toplevel: storePath(generation, host),
      evalEvidence: [
        controlResult(host, "ssh-no-root-login", sshStatus(host), "eval", at),
        controlResult(host, "firewall-enabled", "pass", "eval", at),
      ],
    };
  return createRelease({ ctx: systemContext(plane.db, plane.clock, "test release"), input: manifest }).release
    .id;
}

/** Scheduler tick, then every agent polls once, then time moves on: one round of the control loop. */
export async function round(fleet: Fleet, advanceMs = 1_000): Promise<void> {
  fleet.scheduler.tick();
  for (const agent of fleet.agents.values()) await agent.poll();
  fleet.plane.clock.advance(advanceMs);
}

export async function roundsUntil(
  fleet: Fleet,
  done: () => boolean,
  options: { max?: number; advanceMs?: number } = {},
): Promise<number> {
  const max = options.max ?? 200;
  for (let i = 0; i < max; i++) {
    if (done()) return i;
    await round(fleet, options.advanceMs);
  }
  fleet.scheduler.tick();
  if (done()) return max;
  throw new Error(`condition not reached within ${max} rounds`);
}

export function rolloutRow(
  fleet: Fleet,
  id: string,
): { status: string; pause_reason: string | null; current: number } {
  return fleet.plane.db.sqlite
    .prepare("SELECT status, pause_reason, current FROM rollouts WHERE id = ?")
    .get(id) as {
    status: string;
    pause_reason: string | null;
    current: number;
  };
}

/** Every desired-generation.set audit event that assigned a store path of this rollout, per machine. */
export function assignments(fleet: Fleet, rolloutId: string): Map<string, number> {
  const rows = fleet.plane.db.sqlite
    .prepare(
      `SELECT target_id AS machineId, count(*) AS n FROM audit_events
       WHERE action = 'desired-generation.set' AND json_extract(after, '$.rolloutId') = ?
         AND json_extract(after, '$.storePath') IS NOT NULL
       GROUP BY target_id`,
    )
    .all(rolloutId) as { machineId: string; n: number }[];
  return new Map(rows.map((r) => [r.machineId, r.n]));
}
