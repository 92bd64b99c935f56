import { unknownControlIssues, validateWaivers } from "../../../engine/governance/index.js";
import type { Policy } from "../../../schemas/generated/policy.js";
import { newId } from "../../../schemas/ids.js";
import { actorLabel } from "../../env.js";
import { ValidationFailed } from "../../errors.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceCall, transact } from "../../services/context.js";
import { currentPolicy, type StoredPolicy } from "../store.js";

/**
 * Puts a new version of the governance policy in force. Refused (422, with JSON pointers) when it names
 * unknown controls or carries waivers that would not count (self-approved, expired…): a typo must never
 * silently weaken the gate. Audit: policy.set, with the previous and the new document.
 */
export function setPolicy({ ctx, input }: ServiceCall<Policy>): StoredPolicy {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const issues = [...unknownControlIssues(input), ...validateWaivers(input, now)];
    if (issues.length > 0)
      throw new ValidationFailed(`the policy has ${issues.length} problem(s): ${issues[0]!.message}`, issues);
    const before = currentPolicy(ctx.db);
    const version = before.version + 1;
    const id = newId("pol", now);
    ctx.db.sqlite
      .prepare("INSERT INTO policies (id, version, document, created_at, created_by) VALUES (?, ?, ?, ?, ?)")
      .run(id, version, JSON.stringify(input), now, actorLabel(ctx.actor));
    const after = currentPolicy(ctx.db);
    recordAudit(ctx, {
      action: "policy.set",
      target: { type: "policy", id },
      before: { version: before.version, isDefault: before.isDefault, document: before.document },
      after: { version: after.version, document: after.document },
    });
    return after;
  });
}
