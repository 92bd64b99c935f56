/**
 * Per-operation samples for the shared security suite (security.test.ts): path parameters (computed on the test
 * plane) or a body, for operations that need them in the "allowed actor" case. Append entries for new operations.
 */
import type { TestPlane } from "./harness.js";

export const SAMPLES: Record<
  string,
  { params?: (plane: TestPlane) => Record<string, string>; body?: unknown }
> = {
  "machines.register": { body: { id: "security-sample" } },
  // A machine of its own: decommissioning machine A would revoke the agent token the other cases use.
  "machines.decommission": { params: (p) => ({ id: p.machine().id }) },
  "machines.update": { body: { addTags: ["x"] } },
  "tokens.create": { body: { role: "auditor" } },
  // rollouts, waivers, policy (H4)
  "rollouts.plan": {
    body: { releaseId: "rel_missing", spec: { strategy: "canary", targets: { all: true } } },
  },
  "rollouts.start": {
    body: { releaseId: "rel_missing", spec: { strategy: "canary", targets: { all: true } } },
  },
  "rollouts.abort": { body: { revert: false } },
  "waivers.request": {
    body: { controlId: "ssh-no-root-login", rationale: "security sample", expiresAt: "2030-01-01T00:00:00Z" },
  },
  "waivers.revoke": { body: { reason: "security sample" } },
  "policy.put": { body: { version: 1, requiredControls: ["ssh-no-root-login"], mode: "enforce" } },
  "policy.check": { body: { releaseId: "rel_missing" } },
};
