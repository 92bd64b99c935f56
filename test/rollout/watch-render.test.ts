/** What `rollout watch` draws on a terminal, and how the CLI turns flags into a validated spec. */
import { describe, expect, it } from "vitest";
import { progressBars, specFrom } from "../../cli/rollout.js";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { SchemaValidationError } from "../../schemas/registry.js";

const base = { tag: [], anyTag: [], host: [], exclude: [] };

function rollout(batches: Partial<Rollout["batches"][number]>[]): Rollout {
  return {
    id: "rol_01M8997DG0GD5ZSH5XN37B5RR1",
    releaseId: "rel_X",
    rollbackOf: null,
    status: "running",
    spec: { strategy: "staged", targets: { all: true } },
    currentBatch: 1,
    targets: 30,
    failedHosts: 1,
    createdAt: "2026-11-25T12:00:00.000Z",
    createdBy: "operator:tok_1",
    batches: batches.map((b, index) => ({
      index,
      amount: "10",
      size: 10,
      phase: "pending",
      assigned: 0,
      inFlight: 0,
      confirmed: 0,
      failed: 0,
      inconclusive: 0,
      ...b,
    })),
  };
}

describe("rollout watch rendering", () => {
  it("draws one bar per batch: confirmed, failed, in flight and waiting, and marks the current batch", () => {
    const bars = progressBars(
      rollout([
        { phase: "passed", confirmed: 10, assigned: 10 },
        { phase: "deploying", confirmed: 5, failed: 1, inFlight: 2, assigned: 8 },
        { phase: "pending" },
      ]),
      10,
    );
    expect(bars).toEqual([
      "  batch  1 10     [██████████]    10/10 passed",
      "> batch  2 10     [█████✗▒▒░░]     5/10 deploying, 1 failed",
      "  batch  3 10     [░░░░░░░░░░]     0/10 pending",
    ]);
  });
});

describe("rollout spec from flags", () => {
  it("builds and validates the spec, never defaulting to the whole fleet", () => {
    expect(
      specFrom({ ...base, tag: ["web"], batches: "1,10%,100%", bake: "5m", maxInFlight: "20" }, false),
    ).toEqual({
      strategy: "staged",
      batches: [1, "10%", "100%"],
      bakeTimeMs: 300_000,
      maxInFlight: 20,
      targets: { tags: { all: ["web"] } },
    });
    expect(() => specFrom({ ...base }, false)).toThrow(/--all for the whole fleet/);
    expect(specFrom({ ...base }, true)).toBeUndefined(); // a rollback without a spec uses the server's default
    try {
      specFrom({ ...base, all: true, onFailure: "explode" }, false);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaValidationError);
      expect((err as SchemaValidationError).source).toBe("command-line options");
      expect((err as SchemaValidationError).issues[0]!.path).toBe("/onFailure");
    }
  });
});
