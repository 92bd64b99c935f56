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
};
