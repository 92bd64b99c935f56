import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import { check } from "../../schemas/registry.js";
import { cumulativeHosts, formatAmount, parseAmount, toleratedFailures } from "./amounts.js";
import { seededOrder } from "./order.js";
import { type InventoryHost, PlanError, planRollout, resolveTargets } from "./planner.js";

function fleet(n: number, tag = (i: number) => (i % 2 === 0 ? ["web"] : ["db"])): InventoryHost[] {
  return Array.from({ length: n }, (_, i) => ({ id: `mch-${i}`, name: `host-${i}`, tags: tag(i) }));
}

const amountArb = fc.oneof(
  fc.integer({ min: 0, max: 60 }).map(String),
  fc.integer({ min: 0, max: 100_000 }).map((milli) => formatAmount({ kind: "percent", milli })),
);

describe("amounts", () => {
  it("parses counts and percentages and rejects what the schema rejects", () => {
    expect(parseAmount("3")).toEqual({ kind: "count", count: 3 });
    expect(parseAmount(4)).toEqual({ kind: "count", count: 4 });
    expect(parseAmount("12.5%")).toEqual({ kind: "percent", milli: 12_500 });
    expect(parseAmount("100%")).toEqual({ kind: "percent", milli: 100_000 });
    expect(() => parseAmount("100.5%")).toThrow(/exceed 100%/);
    expect(() => parseAmount("ten")).toThrow(/not a host count/);
    expect(() => parseAmount(-1)).toThrow();
  });

  it("agrees with the schema on which amounts are valid", () => {
    fc.assert(
      fc.property(fc.oneof(amountArb, fc.string({ maxLength: 8 })), (text) => {
        const schemaOk =
          check("rollout-spec", { strategy: "staged", batches: [text], targets: { all: true } }).length === 0;
        let parsed = true;
        try {
          parseAmount(text);
        } catch {
          parsed = false;
        }
        expect(parsed).toBe(schemaOk);
      }),
    );
  });

  it("rounds percentages up (cumulative) and thresholds down, exactly as rational arithmetic does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (milli, total) => {
          const exact = BigInt(milli) * BigInt(total);
          const ceil = Number((exact + 99_999n) / 100_000n);
          const floor = Number(exact / 100_000n);
          expect(cumulativeHosts({ kind: "percent", milli }, total)).toBe(Math.min(total, ceil));
          expect(toleratedFailures({ kind: "percent", milli }, total)).toBe(floor);
        },
      ),
    );
    expect(cumulativeHosts(parseAmount("10%"), 15)).toBe(2); // 1.5 → 2
    expect(cumulativeHosts(parseAmount("1%"), 3)).toBe(1); // any non-empty share reaches one host
    expect(toleratedFailures(parseAmount("10%"), 15)).toBe(1);
  });
});

describe("resolveTargets", () => {
  const inv = fleet(6, (i) => [i < 3 ? "eu" : "us", i % 2 === 0 ? "web" : "db"]);

  it("never means the whole fleet without all: true", () => {
    expect(() => resolveTargets({}, inv)).toThrow(PlanError);
    expect(() => resolveTargets({ exclude: ["mch-1"] }, inv)).toThrow(/all: true/);
    expect(resolveTargets({ all: true, exclude: ["host-1"] }, inv).sort()).toEqual(
      ["mch-0", "mch-2", "mch-3", "mch-4", "mch-5"].sort(),
    );
  });

  it("combines tags all/any, named hosts and exclusions", () => {
    expect(resolveTargets({ tags: { all: ["eu", "web"] } }, inv).sort()).toEqual(["mch-0", "mch-2"]);
    expect(resolveTargets({ tags: { any: ["db"] } }, inv).sort()).toEqual(["mch-1", "mch-3", "mch-5"]);
    expect(resolveTargets({ tags: { all: ["us"], any: ["web"] }, hosts: ["host-1"] }, inv).sort()).toEqual([
      "mch-1",
      "mch-4",
    ]);
    expect(resolveTargets({ tags: { any: ["eu"] }, exclude: ["mch-0"] }, inv).sort()).toEqual([
      "mch-1",
      "mch-2",
    ]);
  });

  it("names the unknown host and refuses an empty selection", () => {
    expect(() => resolveTargets({ hosts: ["nope"] }, inv)).toThrow(/targets.hosts: no machine named "nope"/);
    expect(() => resolveTargets({ tags: { all: ["mars"] } }, inv)).toThrow(
      expect.objectContaining({ code: "no-targets" }),
    );
  });
});

describe("planRollout", () => {
  it("cuts the staged default into cumulative ceil batches", () => {
    const plan = planRollout({ strategy: "staged", targets: { all: true } }, fleet(10), "rol_a");
    // 1, ceil(10% of 10) = 1 (adds nothing, no batch), 5, 10
    expect(plan.map((b) => b.hosts.length)).toEqual([1, 4, 5]);
    expect(plan.map((b) => b.amount)).toEqual(["1", "50%", "100%"]);
    expect(plan.map((b) => b.cumulative)).toEqual([1, 5, 10]);
  });

  it("adds a rest batch so every target is covered, and all-at-once is one batch", () => {
    const plan = planRollout(
      { strategy: "staged", batches: ["2", "20%"], targets: { all: true } },
      fleet(20),
      "r",
    );
    expect(plan.map((b) => [b.amount, b.hosts.length])).toEqual([
      ["2", 2],
      ["20%", 2],
      ["rest", 16],
    ]);
    expect(planRollout({ strategy: "all-at-once", targets: { all: true } }, fleet(7), "r")).toHaveLength(1);
    expect(() =>
      planRollout({ strategy: "all-at-once", batches: ["1"], targets: { all: true } }, fleet(7), "r"),
    ).toThrow(/all-at-once takes no batches/);
    expect(
      planRollout({ strategy: "canary", targets: { all: true } }, fleet(7), "r").map((b) => b.hosts.length),
    ).toEqual([1, 6]);
  });

  const specArb = fc.record({
    strategy: fc.constantFrom("canary" as const, "staged" as const),
    batches: fc.array(amountArb, { minLength: 1, maxLength: 6 }),
  });

  it("always partitions the targets, in seeded order, with non-empty batches (property)", () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 120 }), fc.string({ maxLength: 12 }), (s, n, seed) => {
        const inv = fleet(n);
        const spec: RolloutSpec = {
          ...s,
          batches: s.batches as [string, ...string[]],
          targets: { all: true },
        };
        const plan = planRollout(spec, inv, seed);
        const flat = plan.flatMap((b) => b.hosts);
        expect(flat).toEqual(
          seededOrder(
            inv.map((h) => h.id),
            seed,
          ),
        );
        expect(new Set(flat).size).toBe(n);
        for (const b of plan) expect(b.hosts.length).toBeGreaterThan(0);
        expect(plan.map((b) => b.index)).toEqual(plan.map((_, i) => i));
        expect(plan.at(-1)!.cumulative).toBe(n);
      }),
    );
  });

  it("is deterministic: the same id gives the same plan whatever the inventory order (property)", () => {
    fc.assert(
      fc.property(
        specArb,
        fc.integer({ min: 1, max: 60 }),
        fc.string({ maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (s, n, seed, noise) => {
          const inv = fleet(n);
          const spec: RolloutSpec = {
            ...s,
            batches: s.batches as [string, ...string[]],
            targets: { all: true },
          };
          const shuffled = inv
            .map((h) => ({ h, k: noise.next().value as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.h);
          expect(planRollout(spec, shuffled, seed)).toEqual(planRollout(spec, inv, seed));
          // every cumulative percentage lands exactly on its ceiling
          for (const b of planRollout(spec, inv, seed)) {
            if (b.amount.endsWith("%")) expect(b.cumulative).toBe(cumulativeHosts(parseAmount(b.amount), n));
          }
        },
      ),
    );
  });

  it("orders hosts differently for different rollout ids", () => {
    const inv = fleet(50);
    const a = planRollout({ strategy: "canary", targets: { all: true } }, inv, "rol_1")[0]!.hosts;
    const orders = new Set(
      ["rol_1", "rol_2", "rol_3", "rol_4", "rol_5"].map((id) =>
        planRollout(
          { strategy: "staged", batches: ["100%"], targets: { all: true } },
          inv,
          id,
        )[0]!.hosts.join(),
      ),
    );
    expect(a).toHaveLength(1);
    expect(orders.size).toBe(5);
  });
});
