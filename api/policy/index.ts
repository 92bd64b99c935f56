/** /api/v1/policy: the governance policy in force (show, put) and a dry-run gate check for a release. */
import { unknownControlIssues, validateWaivers } from "../../engine/governance/index.js";
import type { Policy } from "../../schemas/generated/policy.js";
import type { PolicyCheck } from "../../schemas/generated/policy-check.js";
import type { PolicyCheckResult } from "../../schemas/generated/policy-check-result.js";
import type { PolicyRecord } from "../../schemas/generated/policy-record.js";
import { readJson } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { listWaivers } from "../waivers/queries.js";
import { checkRelease } from "./check.js";
import { setPolicy } from "./services/setPolicy.js";
import { currentPolicy, type StoredPolicy } from "./store.js";

function record(stored: StoredPolicy, waivers: PolicyRecord["waivers"]): PolicyRecord {
  return {
    id: stored.id,
    version: stored.version,
    isDefault: stored.isDefault,
    document: stored.document,
    createdAt: stored.createdAt,
    createdBy: stored.createdBy,
    waivers,
  };
}

export const policyResource = new Resource("policy", "The governance policy every rollout is gated on")
  .op(
    {
      id: "policy.show",
      method: "get",
      path: "/policy",
      summary: "The policy in force and the active waivers the gate adds to it",
      access: "read",
      responses: [{ status: 200, description: "the policy", schema: "policy-record" }],
    },
    (c) => {
      const { db, clock } = c.var.deps;
      return c.json(record(currentPolicy(db), listWaivers(db, clock.now(), "active")));
    },
  )
  .op(
    {
      id: "policy.put",
      method: "put",
      path: "/policy",
      summary:
        "Put a new policy version in force (422 when it names unknown controls or carries invalid waivers)",
      access: "admin",
      body: "policy",
      responses: [{ status: 200, description: "the policy now in force", schema: "policy-record" }],
    },
    async (c) => {
      const input = await readJson<Policy>(c, "policy");
      const stored = setPolicy({ ctx: serviceContext(c), input });
      return c.json(record(stored, listWaivers(c.var.deps.db, c.var.deps.clock.now(), "active")));
    },
  )
  .op(
    {
      id: "policy.check",
      method: "post",
      path: "/policy/check",
      summary:
        "What the gate would decide now for a release (under the policy in force, or a candidate); stores nothing",
      access: "read",
      body: "policy-check",
      responses: [{ status: 200, description: "the decision", schema: "policy-check-result" }],
    },
    async (c) => {
      const input = await readJson<PolicyCheck>(c, "policy-check");
      const { db, clock } = c.var.deps;
      const now = clock.now();
      const policy = input.policy ?? currentPolicy(db).document;
      const result: PolicyCheckResult = {
        releaseId: input.releaseId,
        policyVersion: input.policy ? null : currentPolicy(db).version,
        policyIssues: [...unknownControlIssues(policy), ...validateWaivers(policy, now)],
        decision: checkRelease(db, input, now),
      };
      return c.json(result);
    },
  );
