import { checkWaiverApproval } from "../../../engine/governance/index.js";
import type { WaiverRecord } from "../../../schemas/generated/waiver-record.js";
import { actorLabel } from "../../env.js";
import { Conflict, Forbidden } from "../../errors.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceCall, transact } from "../../services/context.js";
import { getWaiverRow, toWaiverRecord } from "../queries.js";

/**
 * Approves a requested waiver. Four eyes (the governance engine's checkWaiverApproval): the approver is an
 * admin and not the requester. An expired or revoked waiver cannot be approved. Audit: waiver.approve.
 */
export function approveWaiver({ ctx, input }: ServiceCall<{ waiverId: string }>): WaiverRecord {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const row = getWaiverRow(ctx.db, input.waiverId);
    const before = toWaiverRecord(row, now);
    if (before.state !== "requested")
      throw new Conflict(`waiver ${row.id} is ${before.state}; only a requested waiver can be approved`, {
        waiverId: row.id,
        state: before.state,
      });
    const approver = actorLabel(ctx.actor);
    const approval = checkWaiverApproval({
      requestedBy: row.requestedBy,
      approvedBy: approver,
      approverRole: ctx.actor.kind === "user" ? ctx.actor.role : ctx.actor.kind,
    });
    if (!approval.ok) throw new Forbidden(approval.message, { reason: approval.reason });
    ctx.db.sqlite
      .prepare("UPDATE waivers SET approved_by = ?, approved_at = ? WHERE id = ? AND approved_by IS NULL")
      .run(approver, now, row.id);
    const after = toWaiverRecord(getWaiverRow(ctx.db, row.id), now);
    recordAudit(ctx, { action: "waiver.approve", target: { type: "waiver", id: row.id }, before, after });
    return after;
  });
}
