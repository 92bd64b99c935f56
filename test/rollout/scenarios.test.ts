import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../api/services/audit-chain.js";
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
});
