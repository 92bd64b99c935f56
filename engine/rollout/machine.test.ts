import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import { toleratedFailures } from "./amounts.js";
import { createRolloutState, inFlightLimit, isInFlight, isTerminal, step } from "./machine.js";
import { planRollout } from "./planner.js";
import { restoreRolloutState, snapshotOf } from "./snapshot.js";
import type { RolloutCommand, RolloutEvent, RolloutState } from "./types.js";

const ALLOW = { allow: true, decisionId: "gat_allow" };
const BLOCK = { allow: false, decisionId: "gat_block" };

function rollout(spec: Partial<RolloutSpec>, n: number, id = "rol_test"): RolloutState {
  const full: RolloutSpec = { strategy: "staged", targets: { all: true }, ...spec };
  const inv = Array.from({ length: n }, (_, i) => ({ id: `h${i}` }));
  return createRolloutState(id, full, planRollout(full, inv, id));
}

/** Drives a state through events, keeping every command, like the scheduler does. */
class Driver {
  commands: RolloutCommand[] = [];
  constructor(
    public state: RolloutState,
    public now = 1_000,
  ) {}
  send(event: RolloutEvent, advanceMs = 0): ReturnType<typeof step> {
    this.now += advanceMs;
    const r = step(this.state, event, this.now);
    this.state = r.state;
    this.commands.push(...r.commands);
    return r;
  }
  inFlight(): string[] {
    return [...this.state.hosts.values()].filter(isInFlight).map((h) => h.host);
  }
  confirmAll(): void {
    for (const h of this.inFlight()) this.send({ type: "host-report", host: h, outcome: "confirmed" });
  }
  assigned(): string[] {
    return this.commands.flatMap((c) => (c.type === "set-desired" ? [c.host] : []));
  }
}

describe("rollout state machine", () => {
  it("runs a canary to success, one batch at a time, baking between batches", () => {
    const d = new Driver(rollout({ strategy: "canary", bakeTimeMs: 60_000 }, 5));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    expect(d.state.status).toBe("running");
    expect(d.inFlight()).toHaveLength(1);
    const canary = d.inFlight()[0]!;
    d.send({ type: "host-report", host: canary, outcome: "applying" });
    d.send({ type: "host-report", host: canary, outcome: "confirmed" });
    expect(d.state.batches[0]!.phase).toBe("baking");
    d.send({ type: "tick" }, 59_999);
    expect(d.state.batches[0]!.phase).toBe("baking");
    const r = d.send({ type: "tick" }, 1);
    expect(r.commands).toContainEqual({ type: "evaluate-gate", batch: 1 });
    expect(d.state.batches[1]!.phase).toBe("gating");
    expect(d.inFlight()).toHaveLength(0);
    d.send({ type: "gate-decided", batch: 1, gate: ALLOW });
    expect(d.inFlight()).toHaveLength(4);
    d.confirmAll();
    d.send({ type: "tick" }, 60_000);
    expect(d.state.status).toBe("succeeded");
    expect(d.assigned().sort()).toEqual(["h0", "h1", "h2", "h3", "h4"]);
  });

  it("pauses when a batch crosses its threshold, and resume accepts the batch", () => {
    const d = new Driver(rollout({ batches: ["2", "100%"], failureThreshold: "0" }, 6));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const [a, b] = d.inFlight();
    d.send({ type: "host-report", host: a!, outcome: "failed", reason: "unit nginx failed" });
    expect(d.state.status).toBe("paused");
    expect(d.state.pauseReason).toBe("batch-failed");
    expect(d.state.batches[0]!.phase).toBe("failed");
    // the other host of the batch still reports; nothing new is assigned while paused
    d.send({ type: "host-report", host: b!, outcome: "confirmed" });
    expect(d.assigned()).toHaveLength(2);
    expect(d.send({ type: "resume", actor: "bob" }).rejected).toBeUndefined();
    expect(d.state.batches[0]!.phase).toBe("passed");
    expect(d.state.batches[1]!.phase).toBe("gating");
  });

  it("retry queues failed hosts of the current batch again", () => {
    const d = new Driver(rollout({ batches: ["2", "100%"] }, 4));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const [a, b] = d.inFlight();
    d.send({ type: "host-report", host: a!, outcome: "rolled-back" });
    d.send({ type: "host-report", host: b!, outcome: "confirmed" });
    expect(d.state.status).toBe("paused");
    expect(d.state.failedTotal).toBe(1);
    const r = d.send({ type: "retry", actor: "bob" });
    expect(r.commands).toContainEqual({ type: "set-desired", host: a!, batch: 0, attempt: 2 });
    expect(d.state.status).toBe("running");
    expect(d.state.failedTotal).toBe(0);
    d.send({ type: "host-report", host: a!, outcome: "confirmed" });
    expect(d.state.batches[1]!.phase).toBe("gating");
    // a snapshot taken after the retry restores to the same behaviour
    const restored = restoreRolloutState(JSON.parse(JSON.stringify(snapshotOf(d.state))));
    expect(snapshotOf(restored)).toEqual(snapshotOf(d.state));
  });

  it("fails and asks for a revert of every assigned host when onFailure is revert", () => {
    const d = new Driver(rollout({ batches: ["3", "100%"], onFailure: "revert", failureThreshold: "1" }, 6));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const hosts = d.inFlight();
    d.send({ type: "host-report", host: hosts[0]!, outcome: "failed" });
    expect(d.state.status).toBe("running"); // one failure is tolerated
    const r = d.send({ type: "host-report", host: hosts[1]!, outcome: "failed" });
    expect(d.state.status).toBe("failed");
    expect(d.state.failureReason).toBe("batch-failed");
    expect(r.commands).toContainEqual({ type: "revert", hosts });
  });

  it("counts a silent host as unreachable and a stalled one as failed, at the deadline", () => {
    const d = new Driver(
      rollout(
        { batches: ["100%"], healthTimeoutMs: 1_000, confirmWindowMs: 2_000, failureThreshold: "2" },
        3,
      ),
    );
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const [a, b, c] = d.inFlight();
    d.send({ type: "host-report", host: a!, outcome: "applying" }, 100);
    d.send({ type: "host-report", host: b!, outcome: "confirmed" });
    d.send({ type: "tick" }, 2_899);
    expect(d.inFlight()).toHaveLength(2);
    d.send({ type: "tick" }, 1);
    expect(d.state.hosts.get(a!)!.outcome).toBe("failed");
    expect(d.state.hosts.get(c!)!.outcome).toBe("unreachable");
    expect(d.state.status).toBe("succeeded"); // two failures tolerated, no bake
  });

  it("pauses on an inconclusive health check instead of counting it as pass or fail", () => {
    const d = new Driver(rollout({ batches: ["2", "100%"], failureThreshold: "5" }, 4));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const [a] = d.inFlight();
    d.send({
      type: "host-report",
      host: a!,
      outcome: "verifying",
      inconclusive: true,
      reason: "check could not run",
    });
    expect(d.state.status).toBe("paused");
    expect(d.state.pauseReason).toBe("inconclusive");
    expect(d.state.failedTotal).toBe(0);
    expect(d.state.batches[0]!.inconclusive).toBe(1);
  });

  it("never passes a blocked gate: resume and promote ask the gate again", () => {
    const d = new Driver(rollout({ batches: ["1", "100%"] }, 3));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    d.confirmAll();
    expect(d.state.batches[1]!.phase).toBe("gating");
    d.send({ type: "gate-decided", batch: 1, gate: BLOCK });
    expect(d.state.status).toBe("paused");
    expect(d.state.pauseReason).toBe("gate-blocked");
    const r = d.send({ type: "promote", actor: "bob" });
    expect(r.commands).toContainEqual({ type: "evaluate-gate", batch: 1 });
    expect(d.inFlight()).toHaveLength(0);
    d.send({ type: "gate-decided", batch: 1, gate: ALLOW });
    expect(d.inFlight()).toHaveLength(2);
    expect(d.state.batches[1]!.gateDecisionId).toBe("gat_allow");
  });

  it("respects maxInFlight inside a batch", () => {
    const d = new Driver(rollout({ strategy: "all-at-once", maxInFlight: 2 }, 5));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    expect(d.inFlight()).toHaveLength(2);
    d.send({ type: "host-report", host: d.inFlight()[0]!, outcome: "confirmed" });
    expect(d.inFlight()).toHaveLength(2);
    expect(d.assigned()).toHaveLength(3);
  });

  it("aborts keeping updated hosts (clears in-flight ones) or reverting every assigned host", () => {
    const keep = new Driver(rollout({ batches: ["100%"] }, 3));
    keep.send({ type: "start", actor: "a", gate: ALLOW });
    keep.send({ type: "host-report", host: keep.inFlight()[0]!, outcome: "confirmed" });
    const k = keep.send({ type: "abort", actor: "a", revert: false });
    expect(k.commands.filter((c) => c.type === "clear-desired")).toHaveLength(2);
    expect(keep.state.status).toBe("aborted");
    const rev = new Driver(rollout({ batches: ["100%"] }, 3));
    rev.send({ type: "start", actor: "a", gate: ALLOW });
    const r = rev.send({ type: "abort", actor: "a", revert: true });
    expect(r.commands.find((c) => c.type === "revert")).toMatchObject({
      hosts: expect.arrayContaining(["h0", "h1", "h2"]),
    });
    expect(rev.state.revertRequested).toBe(true);
    expect(rev.send({ type: "resume", actor: "a" }).rejected).toMatch(/aborted/);
  });

  it("fails the rollout when the error budget is spent, even with tolerant batches", () => {
    const d = new Driver(rollout({ batches: ["2", "100%"], failureThreshold: "100%", errorBudget: "1" }, 6));
    d.send({ type: "start", actor: "alice", gate: ALLOW });
    const [a, b] = d.inFlight();
    d.send({ type: "host-report", host: a!, outcome: "failed" });
    expect(d.state.status).toBe("running");
    d.send({ type: "host-report", host: b!, outcome: "failed" });
    expect(d.state.status).toBe("failed");
    expect(d.state.failureReason).toBe("error-budget");
  });

  it("rejects operator actions that make no sense in the current state", () => {
    const d = new Driver(rollout({}, 3));
    expect(d.send({ type: "pause", actor: "a" }).rejected).toMatch(/pending/);
    d.send({ type: "start", actor: "a", gate: ALLOW });
    expect(d.send({ type: "resume", actor: "a" }).rejected).toMatch(/not paused/);
    expect(d.send({ type: "retry", actor: "a" }).rejected).toMatch(/no failed/);
    expect(d.send({ type: "promote", actor: "a" }).rejected).toMatch(/nothing to promote/);
    expect(d.send({ type: "host-report", host: "nobody", outcome: "confirmed" }).rejected).toBeDefined();
  });
});

// ---------- properties ----------

type Action =
  | { kind: "tick"; ms: number }
  | {
      kind: "report";
      pick: number;
      outcome: "fetching" | "applying" | "verifying" | "confirmed" | "failed" | "rolled-back";
      inconclusive: boolean;
    }
  | { kind: "gate"; allow: boolean }
  | { kind: "op"; op: "pause" | "resume" | "promote" | "retry" | "abort-keep" | "abort-revert" }
  | { kind: "restore" };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 4_000 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("report" as const),
      pick: fc.nat(),
      outcome: fc.constantFrom(
        "fetching" as const,
        "applying" as const,
        "verifying" as const,
        "confirmed" as const,
        "confirmed" as const,
        "failed" as const,
        "rolled-back" as const,
      ),
      inconclusive: fc.oneof(
        { weight: 1, arbitrary: fc.constant(true) },
        { weight: 5, arbitrary: fc.constant(false) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("gate" as const),
      allow: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("op" as const),
      op: fc.constantFrom(
        "pause" as const,
        "resume" as const,
        "promote" as const,
        "retry" as const,
        "resume" as const,
        "abort-keep" as const,
        "abort-revert" as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "restore" as const }) },
);

const specArb = fc.record({
  strategy: fc.constantFrom("canary" as const, "staged" as const, "all-at-once" as const),
  batches: fc.array(
    fc.oneof(
      fc.integer({ min: 1, max: 8 }).map(String),
      fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
  failureThreshold: fc.oneof(
    fc.integer({ min: 0, max: 3 }).map(String),
    fc.integer({ min: 0, max: 50 }).map((p) => `${p}%`),
  ),
  errorBudget: fc.option(fc.integer({ min: 0, max: 6 }).map(String), { nil: undefined }),
  onFailure: fc.constantFrom("pause" as const, "revert" as const),
  bakeTimeMs: fc.integer({ min: 0, max: 3_000 }),
  healthTimeoutMs: fc.integer({ min: 1, max: 3_000 }),
  confirmWindowMs: fc.integer({ min: 1, max: 3_000 }),
  maxInFlight: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
});

const OPERATOR = new Set(["resume", "promote", "retry"]);

describe("rollout state machine properties", () => {
  it("holds its invariants under any sequence of events", () => {
    fc.assert(
      fc.property(
        specArb,
        fc.integer({ min: 1, max: 25 }),
        fc.array(actionArb, { maxLength: 120 }),
        (s, n, actions) => {
          const spec: RolloutSpec = {
            ...s,
            batches: s.strategy === "all-at-once" ? undefined : (s.batches as [string, ...string[]]),
            targets: { all: true },
          };
          if (spec.batches === undefined) delete spec.batches;
          let state = rollout(spec, n, `rol_${n}`);
          let now = 0;
          const allowedBatches = new Set<number>();
          let terminalSeen = false;
          const assignedAttempts = new Set<string>();

          const apply = (event: RolloutEvent): void => {
            const before = state;
            const frozen = JSON.stringify(snapshotOf(before));
            const crossedBefore =
              before.status !== "running" ||
              ["failed", "inconclusive", "blocked", "gating"].includes(before.batches[before.current]!.phase);
            const r = step(before, event, now);
            // pure: the input state is untouched
            expect(JSON.stringify(snapshotOf(before))).toBe(frozen);
            state = r.state;
            if (r.rejected) expect(r.state).toBe(before);
            if (
              (event.type === "gate-decided" || event.type === "start") &&
              !r.rejected &&
              (event.gate?.allow ?? false)
            )
              allowedBatches.add(event.type === "start" ? 0 : event.batch);
            for (const c of r.commands) {
              if (c.type !== "set-desired") continue;
              // never past a failed gate: a batch gets hosts only after its gate said allow
              expect(allowedBatches.has(c.batch)).toBe(true);
              // never after a crossed threshold, a pause or a block without a human in between
              if (crossedBefore && event.type !== "gate-decided" && event.type !== "start")
                expect(OPERATOR.has(event.type)).toBe(true);
              // no host assigned twice for the same attempt
              const key = `${c.host}#${c.attempt}`;
              expect(assignedAttempts.has(key)).toBe(false);
              assignedAttempts.add(key);
            }
            // terminal states are never left and command nothing new
            if (terminalSeen) {
              expect(isTerminal(state)).toBe(true);
              expect(
                r.commands.filter((c) => c.type === "set-desired" || c.type === "evaluate-gate"),
              ).toEqual([]);
            }
            if (isTerminal(state)) terminalSeen = true;
            // never more in flight than the batch allows; counters agree with the hosts
            const inFlight = [...state.hosts.values()].filter(isInFlight);
            for (const b of state.batches) {
              const mine = inFlight.filter((h) => h.batch === b.index).length;
              expect(mine).toBe(b.inFlight);
              expect(mine).toBeLessThanOrEqual(inFlightLimit(state.spec, b));
              if (b.index > state.current) expect(b.next).toBe(0);
            }
            // a crossed threshold never stays unnoticed in a running, unaccepted batch
            const cur = state.batches[state.current]!;
            if (state.status === "running" && cur.phase === "deploying" && !cur.accepted)
              expect(cur.failed).toBeLessThanOrEqual(
                toleratedFailures(state.spec.failureThreshold, cur.size),
              );
            if (state.spec.errorBudget && state.failureReason !== "error-budget" && !isTerminal(state))
              expect(state.failedTotal).toBeLessThanOrEqual(
                toleratedFailures(state.spec.errorBudget, state.targetsTotal),
              );
          };

          apply({ type: "start", actor: "prop", gate: ALLOW });
          for (const a of actions) {
            switch (a.kind) {
              case "tick":
                now += a.ms;
                apply({ type: "tick" });
                break;
              case "report": {
                const inFlight = [...state.hosts.values()].filter(isInFlight);
                const h = inFlight[a.pick % Math.max(1, inFlight.length)];
                apply({
                  type: "host-report",
                  host: h?.host ?? "h0",
                  outcome: a.outcome,
                  inconclusive: a.inconclusive,
                });
                break;
              }
              case "gate":
                apply({
                  type: "gate-decided",
                  batch: state.current,
                  gate: a.allow ? ALLOW : BLOCK,
                });
                break;
              case "op":
                if (a.op === "abort-keep" || a.op === "abort-revert")
                  apply({ type: "abort", actor: "prop", revert: a.op === "abort-revert" });
                else apply({ type: a.op, actor: "prop" });
                break;
              case "restore":
                // what the scheduler does after a restart: rows → state, then carry on
                state = restoreRolloutState(JSON.parse(JSON.stringify(snapshotOf(state))));
                break;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
