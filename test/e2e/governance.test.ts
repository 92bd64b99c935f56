/**
 * Governance end to end, over a real control plane (mTLS), three agent processes applying real Nix generations,
 * and the CLI: a required control violated by one host blocks the rollout (decision stored as evidence and in
 * the audit trail, nothing assigned); a four-eyes waiver unblocks the same rollout; a waiver that expires
 * while a staged rollout bakes blocks the next batch, which is never touched.
 *
 * The policy enforces one control (ssh-no-root-login) and lists another as advisory, so every blocking reason
 * is predictable: db-01 runs the example fleet's insecure configuration, web-01 and web-02 the hardened one.
 */
import { readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEventView } from "../../api/audit/queries.js";
import { verifyRecord } from "../../evidence/records.js";
import type { EvidenceRecord } from "../../schemas/generated/evidence-record.js";
import type { GateDecision } from "../../schemas/generated/gate-decision.js";
import type { Rollout } from "../../schemas/generated/rollout.js";
import type { RolloutPlan } from "../../schemas/generated/rollout-plan.js";
import type { WaiverRecord } from "../../schemas/generated/waiver-record.js";
import { newId } from "../../schemas/ids.js";
import { runCli } from "../harness/cli.js";
import { startControlPlane, type TestControlPlane } from "../harness/control-plane.js";
import { createFleet, type TestFleet } from "../harness/fleet.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

const VIOLATED = "ssh-no-root-login";
const ADVISORY = "ssh-no-password-auth";
const VIOLATOR = "db-01";
const HARDENED = ["web-01", "web-02"];

let plane: TestControlPlane;
let fleet: TestFleet;
/** the second admin (bob): the first admin (alice) is the plane's bootstrap token */
let bobFlags: string[];

interface BlockedProblem {
  status: number;
  rolloutId: string;
  gateDecisionId: string;
  evidenceId: string;
  decision: GateDecision;
}

/** `nixfleet …` with --json, returning exit code and output as they are (for refusals that print to stderr). */
async function nixfleetRaw(args: string[], flags: string[]) {
  return runCli([...args, ...flags, "--json"], { timeoutMs: 120_000 });
}

async function gateDecisions(rolloutId: string): Promise<EvidenceRecord[]> {
  const answer = await plane.api<{ items: EvidenceRecord[] }>(
    "GET",
    `/api/v1/rollouts/${rolloutId}/gate-decisions`,
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.body.items;
}

const decisionOf = (record: EvidenceRecord) => record.payload as GateDecision;

async function auditEvents(action: string, target: string): Promise<AuditEventView[]> {
  const page = await fleet.cli<{ items: AuditEventView[] }>(
    ["audit", "list", "--action", action, "--target", target],
    0,
    fleet.adminFlags,
  );
  return page.items;
}

async function desiredOf(machineId: string): Promise<{ status: number; storePath?: string }> {
  const answer = await plane.api<{ storePath?: string }>("GET", `/api/v1/machines/${machineId}/desired`);
  return { status: answer.status, storePath: answer.body.storePath };
}

async function requestWaiver(expires: string, rationale: string): Promise<WaiverRecord> {
  return fleet.cli<WaiverRecord>(
    [
      "waiver",
      "request",
      "--control",
      VIOLATED,
      "--host",
      VIOLATOR,
      "--expires",
      expires,
      "--rationale",
      rationale,
    ],
    0,
    fleet.adminFlags,
  );
}

beforeAll(async () => {
  plane = await startControlPlane();
  fleet = await createFleet(plane, [
    ...HARDENED.map((name) => ({ name, tags: ["role:web"] })),
    { name: VIOLATOR, tags: ["role:db"], facts: "insecure" as const },
  ]);
  bobFlags = [
    "--server",
    plane.url,
    "--token",
    await plane.createToken("admin", "bob"),
    "--ca",
    plane.caCert,
  ];
  const policy = join(tempDir(), "policy.json");
  writeFileSync(
    policy,
    JSON.stringify({
      version: 1,
      frameworks: ["nis2"],
      requiredControls: [VIOLATED],
      advisoryControls: [ADVISORY],
      mode: "enforce",
    }),
  );
  await fleet.cli(["policy", "set", "--file", policy], 0, fleet.adminFlags);
  fleet.startAgents();
}, 300_000);
afterAll(cleanupAll);

describe("governance", () => {
  let release: { id: string; paths: Map<string, string> };
  let blocked: BlockedProblem;
  const rolloutFlags = () => [
    "--release",
    release.id,
    "--strategy",
    "all-at-once",
    "--all",
    "--health-timeout",
    "30s",
    "--confirm-window",
    "30s",
  ];

  it("blocks a rollout when a host violates a required control, stores the decision, assigns nothing", async () => {
    release = await fleet.release("v2");
    // exit 1 is the CLI's "the gate blocked it"; the 412 problem is the --json output
    blocked = await fleet.cli<BlockedProblem>(["rollout", "start", ...rolloutFlags()], 1);
    expect(blocked.status).toBe(412);
    expect(blocked.decision.decision).toBe("block");
    expect(blocked.decision.mode).toBe("enforce");
    const blocking = blocked.decision.reasons.filter((r) => r.blocking);
    expect(
      blocking.map((r) => ({ controlId: r.controlId, host: r.host, status: r.status, why: r.why })),
    ).toEqual([{ controlId: VIOLATED, host: VIOLATOR, status: "fail", why: "failed" }]);
    expect(blocking[0]!.source).toBe("eval");
    // the advisory control fails on db-01 too, and is counted without blocking
    expect(blocked.decision.counts.advisoryFailed).toBeGreaterThanOrEqual(1);
    expect(blocked.decision.reasons.some((r) => r.controlId === ADVISORY)).toBe(false);
    expect(blocked.decision.targets).toEqual(
      expect.arrayContaining([
        { host: VIOLATOR, mode: "enforce", decision: "block" },
        ...HARDENED.map((host) => ({ host, mode: "enforce", decision: "allow" })),
      ]),
    );

    // stored as evidence (kind gate-decision), sealed, under the rollout id the answer named
    const records = await gateDecisions(blocked.rolloutId);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.kind).toBe("gate-decision");
    expect(record.id).toBe(blocked.evidenceId);
    expect(record.subject).toMatchObject({ rolloutId: blocked.rolloutId, releaseId: release.id });
    expect(verifyRecord(record).ok, JSON.stringify(verifyRecord(record))).toBe(true);
    expect(decisionOf(record)).toMatchObject({
      id: blocked.gateDecisionId,
      decision: "block",
      phase: "pre-rollout",
    });

    // in the audit trail: the decision with its blocking reason, and the refused start
    const [decide] = await auditEvents("gate.decide", blocked.gateDecisionId);
    expect(decide?.after).toMatchObject({
      rolloutId: blocked.rolloutId,
      decision: "block",
      allow: false,
      evidenceId: blocked.evidenceId,
      blocking: [expect.objectContaining({ controlId: VIOLATED, host: VIOLATOR, status: "fail" })],
    });
    const [refused] = await auditEvents("rollout.blocked", blocked.rolloutId);
    expect(refused?.after).toMatchObject({ gateDecisionId: blocked.gateDecisionId, releaseId: release.id });

    // nothing was deployed: no rollout exists, no host has a desired generation, every host runs v1
    expect((await plane.api("GET", `/api/v1/rollouts/${blocked.rolloutId}`)).status).toBe(404);
    for (const [name, agent] of fleet.agents) {
      expect((await desiredOf(name)).status, name).toBe(404);
      expect(readlinkSync(agent.host.currentLink)).toBe(fleet.initial.get(name));
    }
  }, 300_000);

  it("a waiver approved by a second admin unblocks the same rollout, which succeeds; the decision cites the waiver", async () => {
    const waiver = await requestWaiver(
      "1d",
      "backup job logs in as root; moving it to a service user in CHG-2041",
    );
    expect(waiver.state).toBe("requested");
    expect(waiver.hosts).toEqual([VIOLATOR]);

    // four eyes: the requester cannot approve, and the refusal changes nothing
    const self = await nixfleetRaw(["waiver", "approve", waiver.id], fleet.adminFlags);
    expect(self.code, self.stderr).toBe(1);
    expect(self.stderr).toMatch(/403/);
    expect(self.stderr).toMatch(/four eyes/);
    // a requested waiver does not count: the gate still blocks
    const stillBlocked = await nixfleetRaw(["rollout", "plan", ...rolloutFlags()], fleet.operatorFlags);
    expect(stillBlocked.code, stillBlocked.stderr).toBe(1);
    expect(((JSON.parse(stillBlocked.stdout) as RolloutPlan).gate.decision as GateDecision).decision).toBe(
      "block",
    );

    const approved = await fleet.cli<WaiverRecord>(["waiver", "approve", waiver.id], 0, bobFlags);
    expect(approved.state).toBe("active");
    expect(approved.approvedBy).not.toBe(approved.requestedBy);
    expect(approved.approvedBy).toMatch(/^admin:/);

    // the rollout the gate refused, started again under its id
    const { rollout: started, gate } = await fleet.cli<{
      rollout: Rollout;
      gate: { allow: boolean; decisionId: string; decision: GateDecision };
    }>(["rollout", "start", "--id", blocked.rolloutId, ...rolloutFlags()]);
    expect(started.id).toBe(blocked.rolloutId);
    expect(gate.allow).toBe(true);
    expect(gate.decision.decision).toBe("allow");
    expect(gate.decision.reasons).toEqual([
      expect.objectContaining({
        controlId: VIOLATED,
        host: VIOLATOR,
        status: "waived",
        why: "waived",
        blocking: false,
        waiverId: waiver.id,
      }),
    ]);

    const done = await fleet.waitForRollout(
      started.id,
      (r) => r.status === "succeeded",
      "the rollout to succeed",
      150_000,
    );
    expect(done.hosts?.map((h) => [h.machineId, h.outcome]).sort()).toEqual(
      [...HARDENED, VIOLATOR].map((h) => [h, "confirmed"]).sort(),
    );
    for (const [name, agent] of fleet.agents) {
      expect(readlinkSync(agent.host.currentLink), name).toBe(release.paths.get(name));
      expect((await desiredOf(name)).storePath, name).toBe(release.paths.get(name));
    }

    // the rollout's record: the block, then the allow citing the waiver
    const records = await gateDecisions(blocked.rolloutId);
    expect(records.map((r) => decisionOf(r).decision)).toEqual(["block", "allow"]);
    expect(decisionOf(records[1]!).reasons.find((r) => r.host === VIOLATOR)?.waiverId).toBe(waiver.id);
    const [decide] = await auditEvents("gate.decide", gate.decisionId);
    expect(decide?.after).toMatchObject({ decision: "allow", allow: true, counts: { waived: 1 } });
  }, 300_000);

  it("a waiver that expires while the first batch bakes blocks the next batch, whose hosts are never touched", async () => {
    // the long waiver of the previous scenario must not cover db-01 any more
    const active = await fleet.cli<{ items: WaiverRecord[] }>(["waiver", "list", "--state", "active"]);
    for (const w of active.items)
      await fleet.cli(
        ["waiver", "revoke", w.id, "--reason", "superseded by a short waiver"],
        0,
        fleet.adminFlags,
      );

    const v3 = await fleet.release("v3");
    const spec = {
      strategy: "staged",
      batches: [1, "100%"],
      // the bake outlasts the waiver: the gate before batch 2 runs after the waiver's expiry
      bakeTimeMs: 25_000,
      healthTimeoutMs: 30_000,
      confirmWindowMs: 30_000,
      targets: { all: true },
    };
    // the host order is seeded by the rollout id: choose one whose first batch is a hardened host
    let plan: RolloutPlan | undefined;
    for (let i = 0; i < 40 && !plan; i++) {
      const answer = await plane.api<RolloutPlan>(
        "POST",
        "/api/v1/rollouts/plan",
        { releaseId: v3.id, rolloutId: newId("rol"), spec },
        fleet.operatorToken,
      );
      expect(answer.status, answer.text).toBe(200);
      if (!answer.body.batches[0]!.hosts.includes(VIOLATOR)) plan = answer.body;
    }
    if (!plan) throw new Error("no rollout id put a hardened host first");
    const [canary] = plan.batches[0]!.hosts;
    const later = plan.batches[1]!.hosts;
    expect(later).toContain(VIOLATOR);

    const waiver = await requestWaiver(
      "25s",
      "maintenance window: root login needed for the next half minute",
    );
    await fleet.cli(["waiver", "approve", waiver.id], 0, bobFlags);
    const specFile = join(tempDir(), "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const { rollout: started, gate } = await fleet.cli<{
      rollout: Rollout;
      gate: { decision: GateDecision };
    }>(["rollout", "start", "--release", v3.id, "--spec", specFile, "--id", plan.rolloutId]);
    // the start was allowed by the short waiver, still valid then
    expect(gate.decision.reasons.find((r) => r.host === VIOLATOR)).toMatchObject({
      controlId: VIOLATED,
      why: "waived",
      waiverId: waiver.id,
    });

    const paused = await fleet.waitForRollout(
      started.id,
      (r) => r.status !== "running" && r.status !== "pending",
      "the rollout to stop at the gate before batch 2",
      180_000,
    );
    expect(paused.status, JSON.stringify(paused, null, 1)).toBe("paused");
    expect(paused.pauseReason).toBe("gate-blocked");
    expect(paused.currentBatch).toBe(1);
    expect(paused.batches.map((b) => b.phase)).toEqual(["passed", "blocked"]);

    const records = await gateDecisions(started.id);
    const last = records[records.length - 1]!;
    const decision = decisionOf(last);
    expect(decision).toMatchObject({
      decision: "block",
      phase: "pre-batch",
      id: paused.batches[1]!.gateDecisionId,
    });
    // judged by the server's clock after the expiry
    expect(Date.parse(decision.decidedAt)).toBeGreaterThanOrEqual(Date.parse(waiver.expiresAt));
    const blocking = decision.reasons.filter((r) => r.blocking);
    expect(blocking.map((r) => ({ controlId: r.controlId, host: r.host, status: r.status }))).toEqual([
      { controlId: VIOLATED, host: VIOLATOR, status: "fail" },
    ]);
    expect(blocking[0]!.waiverId).toBeUndefined();
    expect(blocking[0]!.message).toContain(waiver.id);
    const expired = await fleet.cli<{ items: WaiverRecord[] }>(["waiver", "list", "--state", "expired"]);
    expect(expired.items.map((w) => w.id)).toContain(waiver.id);

    // the canary was updated; the later batch's hosts keep v2 and were never assigned v3
    const hosts = new Map(paused.hosts?.map((h) => [h.machineId, h]));
    expect(hosts.get(canary!)?.outcome).toBe("confirmed");
    expect(readlinkSync(fleet.agents.get(canary!)!.host.currentLink)).toBe(v3.paths.get(canary!));
    for (const name of later) {
      expect(hosts.get(name)?.outcome, name).toBe("pending");
      expect(hosts.get(name)?.attempt, name).toBe(0);
      expect((await desiredOf(name)).storePath, name).toBe(release.paths.get(name));
      expect(readlinkSync(fleet.agents.get(name)!.host.currentLink), name).toBe(release.paths.get(name));
    }
  }, 360_000);
});
