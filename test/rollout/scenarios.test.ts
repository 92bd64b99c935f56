import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../api/services/audit-chain.js";
import { systemContext } from "../../api/services/context.js";
import { createToken } from "../../api/services/createToken.js";
import type { Rollout } from "../../schemas/generated/rollout.js";
import type { RolloutPlan } from "../../schemas/generated/rollout-plan.js";
import { validate } from "../../schemas/registry.js";
import { assignments, buildFleet, type Fleet, rolloutRow, round, roundsUntil } from "./harness.js";

let fleet: Fleet | undefined;
afterEach(() => {
  fleet?.close();
  fleet = undefined;
});

async function start(f: Fleet, body: Record<string, unknown>, token = f.plane.tokens.operator) {
  return f.plane.json<{ rollout: Rollout; gate: { decisionId: string } } & Record<string, unknown>>(
    "POST",
    "/api/v1/rollouts",
    { token, body: { releaseId: f.releaseId, ...body } },
  );
}

async function show(f: Fleet, id: string): Promise<Rollout> {
  const res = await f.plane.json<Rollout>("GET", `/api/v1/rollouts/${id}?hosts=all`, {
    token: f.plane.tokens.auditor,
  });
  expect(res.status).toBe(200);
  return validate<Rollout>("rollout", res.body);
}

describe("rollout scenarios (real scheduler, SQLite file, simulated agents over the HTTP app)", () => {
  it("canary success: one host first, then the rest, every host confirmed once", async () => {
    fleet = await buildFleet({ hosts: 6 });
    const f = fleet;
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.auditor,
      body: {
        releaseId: f.releaseId,
        spec: { strategy: "canary", bakeTimeMs: 5_000, targets: { tags: { all: ["web"] } } },
      },
    });
    expect(plan.status).toBe(200);
    validate("rollout-plan", plan.body);
    expect(plan.body.batches.map((b) => b.hosts.length)).toEqual([1, 5]);
    expect(plan.body.gate.allow).toBe(true);
    // the plan stored nothing
    expect((f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM rollouts").get() as { n: number }).n).toBe(
      0,
    );

    const started = await start(f, {
      rolloutId: plan.body.rolloutId,
      spec: { strategy: "canary", bakeTimeMs: 5_000, targets: { tags: { all: ["web"] } } },
    });
    expect(started.status).toBe(201);
    const id = started.body.rollout.id;
    expect(id).toBe(plan.body.rolloutId);

    await round(f);
    let view = await show(f, id);
    // only the canary is assigned; the plan's canary is the one
    expect(view.batches[0]!.assigned).toBe(1);
    expect(view.batches[1]!.assigned).toBe(0);
    expect(view.hosts!.filter((h) => h.attempt > 0).map((h) => h.machineId)).toEqual(
      plan.body.batches[0]!.hosts,
    );

    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded", { advanceMs: 2_000 });
    view = await show(f, id);
    expect(view.batches.map((b) => b.phase)).toEqual(["passed", "passed"]);
    expect(view.hosts!.every((h) => h.outcome === "confirmed")).toBe(true);
    const assigned = assignments(f, id);
    expect(assigned.size).toBe(6);
    expect([...assigned.values()].every((n) => n === 1)).toBe(true);
    // a gate decision before the rollout and before the second batch, stored as evidence
    const gates = await f.plane.json<{
      items: { kind: string; payload: { phase: string; decision: string } }[];
    }>("GET", `/api/v1/rollouts/${id}/gate-decisions`, { token: f.plane.tokens.auditor });
    expect(gates.body.items.map((g) => [g.kind, g.payload.phase, g.payload.decision])).toEqual([
      ["gate-decision", "pre-rollout", "allow"],
      ["gate-decision", "pre-batch", "allow"],
    ]);
    const actions = (
      f.plane.db.sqlite
        .prepare(
          "SELECT action FROM audit_events WHERE action LIKE 'rollout.%' OR action = 'gate.decide' ORDER BY seq",
        )
        .all() as {
        action: string;
      }[]
    ).map((r) => r.action);
    expect(actions).toEqual(["gate.decide", "rollout.start", "gate.decide"]);
    expect(verifyAuditChain(f.plane.db).ok).toBe(true);
  });

  it("staged with a failing batch: pauses at the threshold, nothing further is assigned, resume carries on", async () => {
    fleet = await buildFleet({ hosts: 10 });
    const f = fleet;
    const spec = {
      strategy: "staged",
      batches: ["2", "50%", "100%"],
      failureThreshold: "0",
      targets: { all: true },
    };
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    expect(plan.body.batches.map((b) => b.hosts.length)).toEqual([2, 3, 5]);
    const broken = plan.body.batches[1]!.hosts[0]!;
    f.agents.get(broken)!.behaviour = "fail";
    const started = await start(f, { rolloutId: plan.body.rolloutId, spec });
    expect(started.status).toBe(201);
    const id = started.body.rollout.id;

    await roundsUntil(f, () => rolloutRow(f, id).status === "paused");
    expect(rolloutRow(f, id)).toMatchObject({ pause_reason: "batch-failed", current: 1 });
    // a few more rounds while paused: the last batch gets nothing
    for (let i = 0; i < 3; i++) await round(f);
    let view = await show(f, id);
    expect(view.batches[1]).toMatchObject({ phase: "failed", failed: 1 });
    expect(view.batches[2]!.assigned).toBe(0);
    expect(view.hosts!.find((h) => h.machineId === broken)).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining("nginx"),
    });
    const third = new Set(plan.body.batches[2]!.hosts);
    expect([...assignments(f, id).keys()].some((m) => third.has(m))).toBe(false);

    // an auditor may look but not steer
    expect(
      (await f.plane.call("POST", `/api/v1/rollouts/${id}/resume`, { token: f.plane.tokens.auditor })).status,
    ).toBe(403);
    const resumed = await f.plane.json<Rollout>("POST", `/api/v1/rollouts/${id}/resume`, {
      token: f.plane.tokens.operator,
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("running");
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    view = await show(f, id);
    expect(view.failedHosts).toBe(1);
    expect(view.batches.map((b) => b.phase)).toEqual(["passed", "passed", "passed"]);
    expect(view.batches[1]!.accepted).toBe(true);
    expect([...assignments(f, id).values()].every((n) => n === 1)).toBe(true);
    // resuming a finished rollout is a conflict, not a crash
    const again = await f.plane.json("POST", `/api/v1/rollouts/${id}/resume`, {
      token: f.plane.tokens.operator,
    });
    expect(again.status).toBe(409);
    expect(again.res.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it("retry: a failed host of the paused batch is assigned again and the rollout completes", async () => {
    fleet = await buildFleet({ hosts: 4 });
    const f = fleet;
    const spec = { strategy: "staged", batches: ["2", "100%"], targets: { all: true } };
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    const flaky = plan.body.batches[0]!.hosts[1]!;
    f.agents.get(flaky)!.behaviour = "rollback";
    const id = (await start(f, { rolloutId: plan.body.rolloutId, spec })).body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, id).status === "paused");
    f.agents.get(flaky)!.behaviour = "ok";
    // the agent does not retry the same generation on its own; the operator's retry assigns it again
    const retried = await f.plane.json<Rollout>("POST", `/api/v1/rollouts/${id}/retry`, {
      token: f.plane.tokens.operator,
    });
    expect(retried.status).toBe(200);
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    const view = await show(f, id);
    expect(view.failedHosts).toBe(0);
    expect(view.hosts!.find((h) => h.machineId === flaky)).toMatchObject({
      outcome: "confirmed",
      attempt: 2,
    });
  });

  it("revert: a crossed threshold fails the rollout and a rollback rollout returns the touched hosts", async () => {
    fleet = await buildFleet({ hosts: 6 });
    const f = fleet;
    const spec = { strategy: "staged", batches: ["3", "100%"], onFailure: "revert", targets: { all: true } };
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    const [a, b, broken] = plan.body.batches[0]!.hosts;
    f.agents.get(broken!)!.behaviour = "fail";
    const id = (await start(f, { rolloutId: plan.body.rolloutId, spec })).body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, id).status === "failed");
    const failed = await show(f, id);
    expect(failed.failureReason).toBe("batch-failed");
    // the healthy ones may still be finishing; the rollback is started and recorded as such
    await roundsUntil(
      f,
      () =>
        (
          f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM rollouts WHERE rollback_of = ?").get(id) as {
            n: number;
          }
        ).n === 1,
    );
    const rb = f.plane.db.sqlite.prepare("SELECT id FROM rollouts WHERE rollback_of = ?").get(id) as {
      id: string;
    };
    await roundsUntil(f, () => rolloutRow(f, rb.id).status === "succeeded");
    const rollback = await show(f, rb.id);
    expect(rollback.rollbackOf).toBe(id);
    expect(rollback.releaseId).toBeNull();
    expect((await show(f, id)).revertRolloutId).toBe(rb.id);
    expect(rollback.hosts!.map((h) => h.machineId).sort()).toEqual([a, b, broken].sort());
    // every touched host runs its previous generation again; the untouched ones never changed
    for (const agent of f.agents.values()) expect(agent.current).toMatch(/-nixos-system-/);
    for (const m of [a!, b!, broken!])
      expect(f.agents.get(m)!.current).toBe(rollback.hosts!.find((h) => h.machineId === m)!.storePath);
    const audit = (
      f.plane.db.sqlite
        .prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY seq")
        .all(rb.id) as { action: string }[]
    ).map((r) => r.action);
    expect(audit).toContain("rollout.rollback");
  });

  it("inconclusive health checks pause for a human instead of passing or failing", async () => {
    fleet = await buildFleet({ hosts: 5 });
    const f = fleet;
    const spec = { strategy: "canary", failureThreshold: "5", targets: { all: true } };
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    const canary = plan.body.batches[0]!.hosts[0]!;
    f.agents.get(canary)!.behaviour = "inconclusive";
    const id = (await start(f, { rolloutId: plan.body.rolloutId, spec })).body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, id).status === "paused");
    const view = await show(f, id);
    expect(view.pauseReason).toBe("inconclusive");
    expect(view.failedHosts).toBe(0);
    expect(view.batches[0]).toMatchObject({ phase: "inconclusive", inconclusive: 1, failed: 0 });
    expect(view.hosts!.find((h) => h.machineId === canary)).toMatchObject({ inconclusive: true });
    const events = await f.plane.json<{ items: { kind: string }[] }>("GET", `/api/v1/rollouts/${id}/events`, {
      token: f.plane.tokens.auditor,
    });
    expect(events.body.items.map((e) => e.kind)).toContain("batch.inconclusive");
    // the human accepts the batch
    await f.plane.call("POST", `/api/v1/rollouts/${id}/resume`, { token: f.plane.tokens.operator });
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
  });

  it("governance block: a failing required control stops the start, and the decision is kept as evidence", async () => {
    fleet = await buildFleet({ hosts: 4, sshStatus: (h) => (h === "web-002" ? "fail" : "pass") });
    const f = fleet;
    const spec = { strategy: "all-at-once", targets: { all: true } };
    const plan = await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
      token: f.plane.tokens.operator,
      body: { releaseId: f.releaseId, spec },
    });
    expect(plan.body.gate.allow).toBe(false);
    const blocked = await start(f, { spec });
    expect(blocked.status).toBe(412);
    expect(blocked.res.headers.get("content-type")).toMatch(/problem\+json/);
    const decision = blocked.body.decision as {
      decision: string;
      reasons: { controlId: string; host: string; why: string; blocking: boolean; evidenceId?: string }[];
    };
    expect(decision.decision).toBe("block");
    expect(decision.reasons.filter((r) => r.blocking)).toEqual([
      expect.objectContaining({ controlId: "ssh-no-root-login", host: "web-002", why: "failed" }),
    ]);
    // no rollout, no assignment; the decision is evidence and in the audit trail
    expect((f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM rollouts").get() as { n: number }).n).toBe(
      0,
    );
    expect(
      (f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM desired_generations").get() as { n: number }).n,
    ).toBe(0);
    const stored = f.plane.db.sqlite.prepare("SELECT decision, record FROM gate_decisions").all() as {
      decision: string;
      record: string;
    }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.decision).toBe("block");
    const record = validate<{ kind: string; id: string; sha256: string }>(
      "evidence-record",
      JSON.parse(stored[0]!.record),
    );
    expect(record.kind).toBe("gate-decision");
    expect(record.id).toBe(blocked.body.evidenceId);
    const audit = (
      f.plane.db.sqlite
        .prepare(
          "SELECT action FROM audit_events WHERE action IN ('gate.decide', 'rollout.blocked') ORDER BY seq",
        )
        .all() as { action: string }[]
    ).map((r) => r.action);
    expect(audit).toEqual(["gate.decide", "rollout.blocked"]);
    // policy check says the same, without storing anything
    const check = await f.plane.json<{ decision: { decision: string } }>("POST", "/api/v1/policy/check", {
      token: f.plane.tokens.auditor,
      body: { releaseId: f.releaseId },
    });
    expect(check.status).toBe(200);
    expect(check.body.decision.decision).toBe("block");
    expect(
      (f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM gate_decisions").get() as { n: number }).n,
    ).toBe(1);
  });

  it("a waiver approved by a second admin unblocks; the requester cannot approve their own", async () => {
    fleet = await buildFleet({ hosts: 4, sshStatus: (h) => (h === "web-002" ? "fail" : "pass") });
    const f = fleet;
    const expiresAt = new Date(f.plane.clock.now() + 86_400_000).toISOString();
    const requested = await f.plane.json<{ id: string; state: string }>("POST", "/api/v1/waivers", {
      token: f.plane.tokens.admin,
      body: {
        controlId: "ssh-no-root-login",
        hosts: ["web-002"],
        rationale: "break-glass access until the bastion lands",
        expiresAt,
      },
    });
    expect(requested.status).toBe(201);
    expect(requested.body.state).toBe("requested");
    const wid = requested.body.id;
    // not yet approved: still blocked
    expect((await start(f, { spec: { strategy: "all-at-once", targets: { all: true } } })).status).toBe(412);
    // four eyes: the requester cannot approve, an operator cannot approve
    const self = await f.plane.json<{ reason: string }>("POST", `/api/v1/waivers/${wid}/approve`, {
      token: f.plane.tokens.admin,
    });
    expect(self.status).toBe(403);
    expect(self.body.reason).toBe("self-approval");
    expect(
      (await f.plane.call("POST", `/api/v1/waivers/${wid}/approve`, { token: f.plane.tokens.operator }))
        .status,
    ).toBe(403);
    const secondAdmin = createToken({
      ctx: systemContext(f.plane.db, f.plane.clock, "test"),
      input: { role: "admin" },
    }).token;
    const approved = await f.plane.json<{ state: string; approvedBy: string }>(
      "POST",
      `/api/v1/waivers/${wid}/approve`,
      { token: secondAdmin },
    );
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe("active");
    const started = await start(f, { spec: { strategy: "all-at-once", targets: { all: true } } });
    expect(started.status).toBe(201);
    const decision = (
      started.body.gate as unknown as {
        decision: { decision: string; reasons: { why: string; waiverId?: string }[] };
      }
    ).decision;
    expect(decision.decision).toBe("allow");
    expect(decision.reasons).toEqual([expect.objectContaining({ why: "waived", waiverId: wid })]);
    const id = started.body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    const actions = (
      f.plane.db.sqlite
        .prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY seq")
        .all(wid) as { action: string }[]
    ).map((r) => r.action);
    expect(actions).toEqual(["waiver.request", "waiver.approve"]);
  });

  it("an expired waiver blocks again at the next batch's gate; a fresh waiver and resume carry on", async () => {
    fleet = await buildFleet({ hosts: 6, sshStatus: (h) => (h === "web-002" ? "fail" : "pass") });
    const f = fleet;
    const secondAdmin = createToken({
      ctx: systemContext(f.plane.db, f.plane.clock, "test"),
      input: { role: "admin" },
    }).token;
    const waive = async (ms: number) => {
      const w = await f.plane.json<{ id: string }>("POST", "/api/v1/waivers", {
        token: f.plane.tokens.operator,
        body: {
          controlId: "ssh-no-root-login",
          hosts: ["web-002"],
          rationale: "temporary",
          expiresAt: new Date(f.plane.clock.now() + ms).toISOString(),
        },
      });
      expect(
        (await f.plane.call("POST", `/api/v1/waivers/${w.body.id}/approve`, { token: secondAdmin })).status,
      ).toBe(200);
      return w.body.id;
    };
    await waive(60_000);
    const spec = { strategy: "canary", bakeTimeMs: 120_000, targets: { all: true } };
    // pick a rollout id whose canary is not the waived host, so the host is judged again before batch 2
    let plan: RolloutPlan | undefined;
    for (let i = 0; i < 30 && (!plan || plan.batches[0]!.hosts.includes("web-002")); i++)
      plan = (
        await f.plane.json<RolloutPlan>("POST", "/api/v1/rollouts/plan", {
          token: f.plane.tokens.operator,
          body: { releaseId: f.releaseId, spec },
        })
      ).body;
    expect(plan!.batches[0]!.hosts).not.toContain("web-002");
    const started = await start(f, { rolloutId: plan!.rolloutId, spec });
    expect(started.status).toBe(201);
    const id = started.body.rollout.id;
    // the canary confirms, the bake (2 min) outlives the waiver (1 min)
    await roundsUntil(f, () => rolloutRow(f, id).status === "paused", { advanceMs: 10_000 });
    expect(rolloutRow(f, id)).toMatchObject({ pause_reason: "gate-blocked", current: 1 });
    const view = await show(f, id);
    expect(view.batches[1]).toMatchObject({ phase: "blocked", assigned: 0 });
    const gates = await f.plane.json<{
      items: { payload: { phase: string; decision: string; reasons: { host: string; why: string }[] } }[];
    }>("GET", `/api/v1/rollouts/${id}/gate-decisions`, { token: f.plane.tokens.auditor });
    const last = gates.body.items.at(-1)!.payload;
    expect(last).toMatchObject({ phase: "pre-batch", decision: "block" });
    expect(last.reasons).toContainEqual(expect.objectContaining({ host: "web-002", why: "failed" }));
    // resuming without a valid waiver asks the gate again, which blocks again
    await f.plane.call("POST", `/api/v1/rollouts/${id}/resume`, { token: f.plane.tokens.operator });
    await round(f);
    expect(rolloutRow(f, id)).toMatchObject({ status: "paused", pause_reason: "gate-blocked" });
    await waive(3_600_000);
    await f.plane.call("POST", `/api/v1/rollouts/${id}/resume`, { token: f.plane.tokens.operator });
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded", { advanceMs: 30_000 });
    expect((await show(f, id)).hosts!.every((h) => h.outcome === "confirmed")).toBe(true);
  });

  it("runtime reports of updated hosts are judged before the next batch: a failing runtime check blocks it", async () => {
    fleet = await buildFleet({ hosts: 4 });
    const f = fleet;
    const spec = { strategy: "canary", bakeTimeMs: 60_000, targets: { all: true } };
    const id = (await start(f, { spec })).body.rollout.id;
    await roundsUntil(
      f,
      () =>
        (
          f.plane.db.sqlite
            .prepare("SELECT phase FROM rollout_batches WHERE rollout_id = ? AND idx = 0")
            .get(id) as { phase: string }
        ).phase === "baking",
    );
    const canary = (await show(f, id)).hosts!.find((h) => h.outcome === "confirmed")!.machineId;
    // what the canary's agent observed after the switch: the firewall unit is not running
    const agent = f.agents.get(canary)!;
    const observedAt = new Date(f.plane.clock.now() + 1_000).toISOString();
    const sent = await f.plane.call("POST", `/api/v1/agents/${canary}/evidence`, {
      token: agent.token,
      body: {
        machineId: canary,
        items: [
          {
            idempotencyKey: `runtime-${canary}-1`,
            kind: "runtime-report",
            collectedAt: observedAt,
            payload: {
              machineId: canary,
              collectedAt: observedAt,
              units: { "firewall.service": "inactive" },
            },
          },
        ],
      },
    });
    expect(sent.status).toBe(200);
    await roundsUntil(f, () => rolloutRow(f, id).status === "paused", { advanceMs: 10_000 });
    expect(rolloutRow(f, id).pause_reason).toBe("gate-blocked");
    const gates = await f.plane.json<{
      items: {
        payload: {
          phase: string;
          reasons: {
            controlId: string;
            host: string;
            source?: string;
            blocking: boolean;
            evidenceId?: string;
          }[];
        };
      }[];
    }>("GET", `/api/v1/rollouts/${id}/gate-decisions`, { token: f.plane.tokens.auditor });
    const blocking = gates.body.items.at(-1)!.payload.reasons.filter((r) => r.blocking);
    expect(blocking).toEqual([
      expect.objectContaining({ controlId: "firewall-enabled", host: canary, source: "runtime" }),
    ]);
    expect(blocking[0]!.evidenceId).toMatch(/^evd_/);
  });
});
