import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check } from "../../schemas/registry.js";
import { COMPILED_FILE, generateCompiledValidators } from "./generate.js";
import { validateAgentDocument } from "./index.js";

describe("precompiled agent validators", () => {
  it("are up to date with schemas/ (run npx tsx agent/validation/generate.ts after a schema change)", () => {
    expect(readFileSync(COMPILED_FILE, "utf8") === generateCompiledValidators()).toBe(true);
  });

  it("agree with the shared registry on valid and invalid documents", () => {
    const config = fc.record(
      {
        machineId: fc.oneof(fc.constant("web-01"), fc.string({ maxLength: 5 })),
        controlPlaneUrl: fc.oneof(fc.constant("https://fleet:8443"), fc.constant("ftp://x")),
        pollIntervalMs: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constant("soon")),
        jitter: fc.double({ min: -1, max: 2, noNaN: true }),
        tags: fc.array(fc.string({ maxLength: 70 }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (doc) => {
        const expected = check("agent-config", doc);
        let issues: { path: string; message: string }[] = [];
        try {
          validateAgentDocument("agent-config", doc);
        } catch (err) {
          issues = (err as { issues: typeof issues }).issues;
        }
        expect(issues).toEqual(expected);
      }),
    );
  });

  it("validates desired generations including their health checks", () => {
    expect(() =>
      validateAgentDocument("desired-generation", {
        machineId: "web-01",
        pollAfterMs: 1000,
        healthChecks: [{ name: "x", kind: "smoke-signal" }],
      }),
    ).toThrow(/invalid desired-generation: \/healthChecks\/0\/kind/);
  });
});
