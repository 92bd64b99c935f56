import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Control } from "../../controls/types.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { Policy, Waiver } from "../../schemas/generated/policy.js";
import { validate } from "../../schemas/registry.js";
import { decideGate, type GateDecision, type GateInput, type GateTarget } from "./gate.js";

// Three small controls, so the properties explore the gate and not the catalog.
const base = {
  severity: "high",
  level: "minimal",
  platforms: ["nixos"],
  mappings: [{ framework: "nis2", requirement: "21.2.i" }],
  remediation: "set it",
} as const;
const outcome = { status: "pass", observed: null, expected: null, message: "" } as const;
const controls: Control[] = [
  { ...base, id: "alpha", title: "Alpha", eval: () => outcome },
  { ...base, id: "beta", title: "Beta", eval: () => outcome, runtime: () => outcome },
  { ...base, id: "gamma", title: "Gamma", eval: () => outcome },
];
const NOW = Date.parse("2026-11-25T12:00:00Z");
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let seq = 0;
function result(
  host: string,
  controlId: string,
  status: ControlResult["status"],
  over: Partial<ControlResult> = {},
) {
  seq++;
  return {
    controlId,
    host,
    status,
    source: "eval",
    severity: "high",
    observed: null,
    expected: null,
    message: `${controlId} ${status}`,
    mappings: [],
    collectedAt: iso(NOW - HOUR),
    evidenceId: `evd_${String(seq).padStart(6, "0")}`,
    ...over,
  } satisfies ControlResult;
}
const waiver = (over: Partial<Waiver> = {}): Waiver => ({
  id: "wvr-1",
  controlId: "alpha",
  rationale: "vendor appliance, compensated by network isolation",
  requestedBy: "alice",
  approvedBy: "bob",
  expiresAt: iso(NOW + 24 * HOUR),
  ...over,
});
const gate = (over: Partial<GateInput>) =>
  decideGate({
    policy: { version: 1 },
    targets: [{ host: "web-1" }],
    results: [],
    now: NOW,
    phase: "pre-rollout",
    controls,
    ...over,
  });
const allPass = (host = "web-1") => controls.map((c) => result(host, c.id, "pass"));

describe("decideGate", () => {
  it("allows when every required control passes on fresh evidence, and validates against its schema", () => {
    const d = gate({ results: allPass() });
    expect(d).toMatchObject({
      decision: "allow",
      mode: "enforce",
      reasons: [],
      counts: { required: 3, pass: 3 },
    });
    validate("gate-decision", d);
    expect(d.decidedAt).toBe("2026-11-25T12:00:00.000Z");
  });

  it("blocks on a failed required control and names control, host, status and evidence id", () => {
    const failing = result("web-1", "beta", "fail");
    const d = gate({ results: [...allPass().filter((r) => r.controlId !== "beta"), failing] });
    expect(d.decision).toBe("block");
    expect(d.reasons).toEqual([
      expect.objectContaining({
        controlId: "beta",
        host: "web-1",
        status: "fail",
        why: "failed",
        evidenceId: failing.evidenceId,
        blocking: true,
      }),
    ]);
  });

  it("treats missing and stale evidence as blocking in enforce, warning in permissive, listed in disabled", () => {
    const results = [
      result("web-1", "alpha", "pass"),
      result("web-1", "beta", "pass", { collectedAt: iso(NOW - 800 * HOUR) }),
    ];
    const enforce = gate({ results });
    expect(enforce.decision).toBe("block");
    expect(enforce.reasons.map((r) => [r.controlId, r.why])).toEqual([
      ["beta", "stale-evidence"],
      ["gamma", "missing-evidence"],
    ]);
    expect(enforce.counts).toMatchObject({ pass: 1, stale: 1, missing: 1 });
    expect(gate({ results, policy: { version: 1, mode: "permissive" } }).decision).toBe("warn");
    const disabled = gate({ results, policy: { version: 1, mode: "disabled" } });
    expect(disabled.decision).toBe("allow");
    expect(disabled.reasons.every((r) => !r.blocking)).toBe(true);
    // a custom freshness window makes the old evidence acceptable
    expect(
      gate({
        results: [...results, result("web-1", "gamma", "pass")],
        policy: { version: 1, freshness: { evalMaxAgeHours: 1000 } },
      }).decision,
    ).toBe("allow");
  });

  it("counts a result without a collection time as missing evidence", () => {
    const { collectedAt: _c, ...undated } = result("web-1", "alpha", "pass");
    const d = gate({ results: [undated, ...allPass().slice(1)] });
    expect(d.decision).toBe("block");
    expect(d.reasons[0]).toMatchObject({ controlId: "alpha", why: "missing-evidence", status: "pass" });
  });

  it("a valid waiver turns a fail into waived and lists it; an expired or self-approved one does not count", () => {
    const results = [result("web-1", "alpha", "fail"), ...allPass().slice(1)];
    const waived = gate({ results, policy: { version: 1, waivers: [waiver()] } });
    expect(waived.decision).toBe("allow");
    expect(waived.reasons).toEqual([
      expect.objectContaining({ why: "waived", status: "waived", waiverId: "wvr-1", blocking: false }),
    ]);
    expect(waived.counts.waived).toBe(1);
    const expired = gate({ results, policy: { version: 1, waivers: [waiver({ expiresAt: iso(NOW) })] } });
    expect(expired.decision).toBe("block");
    // the reason names the waiver that lapsed, so a rollout stopped mid-way explains itself
    expect(expired.reasons[0]).toMatchObject({ why: "failed", blocking: true });
    expect(expired.reasons[0]!.waiverId).toBeUndefined();
    expect(expired.reasons[0]!.message).toBe(`alpha fail (waiver wvr-1 expired at ${iso(NOW)})`);
    expect(gate({ results }).reasons[0]!.message).toBe("alpha fail");
    const selfApproved = gate({
      results,
      policy: { version: 1, waivers: [waiver({ approvedBy: "alice" })] },
    });
    expect(selfApproved.decision).toBe("block");
    const otherHost = gate({ results, policy: { version: 1, waivers: [waiver({ hosts: ["db-1"] })] } });
    expect(otherHost.decision).toBe("block");
    const byTag = gate({
      results,
      targets: [{ host: "web-1", tags: ["legacy"] }],
      policy: { version: 1, waivers: [waiver({ tags: ["legacy"] })] },
    });
    expect(byTag.decision).toBe("allow");
  });

  it("does not trust a result that arrives already waived", () => {
    const d = gate({ results: [result("web-1", "alpha", "waived"), ...allPass().slice(1)] });
    expect(d.decision).toBe("block");
    expect(d.reasons[0]).toMatchObject({ why: "failed", status: "fail" });
  });

  it("chooses the mode by environment or tag, first match wins", () => {
    const policy: Policy = {
      version: 1,
      mode: "enforce",
      modes: [
        { environment: "staging", mode: "permissive" },
        { tag: "lab", mode: "disabled" },
        { tag: "canary", mode: "enforce" },
      ],
    };
    const targets: GateTarget[] = [
      { host: "s-1", environment: "staging", tags: ["lab"] },
      { host: "l-1", tags: ["lab", "canary"] },
      { host: "p-1", environment: "production" },
    ];
    const results = [result("s-1", "alpha", "fail"), result("l-1", "alpha", "fail")];
    const d = gate({ policy, targets, results: [...results, ...allPass("p-1")] });
    expect(d.targets).toEqual([
      { host: "s-1", mode: "permissive", decision: "warn" },
      { host: "l-1", mode: "disabled", decision: "allow" },
      { host: "p-1", mode: "enforce", decision: "allow" },
    ]);
    expect(d.decision).toBe("warn");
    expect(d.mode).toBe("enforce");
  });

  it("before a batch requires runtime evidence for controls with a runtime check, and reports drift", () => {
    const evalOnly = allPass();
    const d = gate({ phase: "pre-batch", results: evalOnly });
    expect(d.reasons).toEqual([expect.objectContaining({ controlId: "beta", why: "missing-evidence" })]);
    const runtime = result("web-1", "beta", "pass", { source: "runtime" });
    expect(gate({ phase: "pre-batch", results: [...evalOnly, runtime] }).decision).toBe("allow");
    const drift = result("web-1", "drift.sysctl", "fail", { source: "runtime" });
    const drifted = gate({ phase: "pre-batch", results: [...evalOnly, runtime, drift] });
    expect(drifted.decision).toBe("block");
    expect(drifted.reasons).toEqual([
      expect.objectContaining({ controlId: "drift.sysctl", why: "drift", evidenceId: drift.evidenceId }),
    ]);
    expect(drifted.counts.drift).toBe(1);
    // a newer passing drift observation clears it
    const healed = result("web-1", "drift.sysctl", "pass", {
      source: "runtime",
      collectedAt: iso(NOW - 60_000),
    });
    expect(gate({ phase: "pre-batch", results: [...evalOnly, runtime, drift, healed] }).decision).toBe(
      "allow",
    );
  });

  it("honours explicit required and advisory lists", () => {
    const results = [result("web-1", "alpha", "pass"), result("web-1", "gamma", "fail")];
    const d = gate({
      results,
      policy: { version: 1, requiredControls: ["alpha"], advisoryControls: ["gamma"] },
    });
    expect(d).toMatchObject({ decision: "allow", counts: { required: 1, advisoryFailed: 1 } });
    // a required id the catalog does not know is missing evidence, never a silent pass
    expect(gate({ results, policy: { version: 1, requiredControls: ["alpah"] } }).reasons[0]).toMatchObject({
      controlId: "alpah",
      why: "missing-evidence",
    });
  });
});

// ---- properties ----

const hosts = ["h1", "h2", "h3"];
const statusArb = fc.constantFrom<ControlResult["status"]>(
  "pass",
  "fail",
  "error",
  "not-applicable",
  "waived",
);
const resultArb = fc
  .record({
    host: fc.constantFrom(...hosts),
    controlId: fc.constantFrom("alpha", "beta", "gamma", "drift.sysctl"),
    status: statusArb,
    source: fc.constantFrom<"eval" | "runtime">("eval", "runtime"),
    ageHours: fc.option(fc.integer({ min: -2, max: 1000 }), { nil: undefined }),
    evidence: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ host, controlId, status, source, ageHours, evidence }) => {
    const r: ControlResult = {
      controlId,
      host,
      status,
      source,
      severity: "high",
      observed: null,
      expected: null,
      message: "m",
      mappings: [],
      evidenceId: `evd_${evidence}`,
    };
    if (ageHours !== undefined) r.collectedAt = iso(NOW - ageHours * HOUR);
    return r;
  });
const waiverArb = fc
  .record({
    id: fc.constantFrom("w1", "w2", "w3"),
    controlId: fc.constantFrom("alpha", "beta", "gamma", "drift.sysctl"),
    hosts: fc.option(fc.subarray(hosts), { nil: undefined }),
    expiresInHours: fc.integer({ min: -48, max: 48 }),
    selfApproved: fc.boolean(),
  })
  .map(
    ({ id, controlId, hosts: scope, expiresInHours, selfApproved }): Waiver => ({
      id,
      controlId,
      ...(scope ? { hosts: scope } : {}),
      rationale: "r",
      requestedBy: "alice",
      approvedBy: selfApproved ? "alice" : "bob",
      expiresAt: iso(NOW + expiresInHours * HOUR),
    }),
  );
const policyArb = fc.record({
  version: fc.constant(1 as const),
  requiredControls: fc.option(fc.subarray(["*", "alpha", "beta", "gamma"]), { nil: undefined }),
  mode: fc.constantFrom<"enforce" | "permissive" | "disabled">("enforce", "permissive", "disabled"),
  waivers: fc.array(waiverArb, { maxLength: 4 }),
});
const inputArb = fc.record({
  policy: policyArb,
  results: fc.array(resultArb, { maxLength: 30 }),
  phase: fc.constantFrom<"pre-rollout" | "pre-batch">("pre-rollout", "pre-batch"),
  targets: fc.subarray(hosts, { minLength: 1 }).map((hs) => hs.map((host) => ({ host }))),
});
type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;
const run = (i: ArbValue<typeof inputArb>) => decideGate({ ...i, now: NOW, controls });

describe("decideGate properties", () => {
  it("never allows in enforce when a required control fails on a target without a valid waiver", () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.constantFrom(...hosts),
        fc.constantFrom("alpha", "beta", "gamma"),
        (i, host, controlId) => {
          const policy = { ...i.policy, mode: "enforce" as const, requiredControls: [controlId] };
          // the freshest possible fail for this pair, with no waiver for the control
          const fail: ControlResult = {
            controlId,
            host,
            status: "fail",
            source: i.phase === "pre-batch" && controlId === "beta" ? "runtime" : "eval",
            severity: "high",
            observed: null,
            expected: null,
            message: "m",
            mappings: [],
            collectedAt: iso(NOW + 3 * HOUR),
          };
          const d = decideGate({
            ...i,
            policy: { ...policy, waivers: policy.waivers.filter((w) => w.controlId !== controlId) },
            targets: [...i.targets, { host }],
            results: [...i.results, fail],
            now: NOW,
            controls,
          });
          expect(d.decision).toBe("block");
          expect(
            d.reasons.some((r) => r.host === host && r.controlId === controlId && r.why === "failed"),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an expired waiver never counts", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const expired = i.policy.waivers.map((w) => ({ ...w, expiresAt: iso(NOW - 1) }));
        const withExpired = run({ ...i, policy: { ...i.policy, waivers: expired } });
        const without = run({ ...i, policy: { ...i.policy, waivers: [] } });
        // the same decision, except that a reason may name the waiver that lapsed
        const unnoted = (d: GateDecision) => ({
          ...d,
          policySha256: "",
          reasons: d.reasons.map((r) => ({
            ...r,
            message: r.message.replace(/ \(waiver \S+ expired at \S+\)$/, ""),
          })),
        });
        expect(unnoted(withExpired)).toEqual(unnoted(without));
        expect(withExpired.counts.waived).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("adding a passing result never turns allow into block", () => {
    fc.assert(
      fc.property(inputArb, resultArb, (i, extra) => {
        const before = run(i);
        const after = run({ ...i, results: [...i.results, { ...extra, status: "pass" }] });
        if (before.decision === "allow") expect(after.decision).not.toBe("block");
      }),
      { numRuns: 500 },
    );
  });

  it("is deterministic and independent of the order of results", () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (i, seed) => {
        const shuffled = [...i.results]
          .map((r, k) => ({ r, key: (k * 2654435761 + seed) % 1000003 }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.r);
        expect(run(i)).toEqual(run(i));
        expect(run({ ...i, results: shuffled })).toEqual(run(i));
      }),
      { numRuns: 300 },
    );
  });

  it("always produces a decision that validates against gate-decision.schema.json", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        validate("gate-decision", run(i));
      }),
      { numRuns: 100 },
    );
  });
});
