import type { WaiverRecord } from "../../../schemas/generated/waiver-record.js";
import { actorLabel } from "../../env.js";
import { Conflict } from "../../errors.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceCall, transact } from "../../services/context.js";
import { getWaiverRow, toWaiverRecord } from "../queries.js";

/** Withdraws a waiver: the next gate evaluation no longer counts it. Audit: waiver.revoke. */
export function revokeWaiver({
  ctx,
  input,
}: ServiceCall<{ waiverId: string; reason: string }>): WaiverRecord {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const row = getWaiverRow(ctx.db, input.waiverId);
    const before = toWaiverRecord(row, now);
    if (row.revokedAt !== null)
      throw new Conflict(`waiver ${row.id} is already revoked`, { waiverId: row.id });
    ctx.db.sqlite
      .prepare("UPDATE waivers SET revoked_by = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?")
      .run(actorLabel(ctx.actor), now, input.reason, row.id);
    const after = toWaiverRecord(getWaiverRow(ctx.db, row.id), now);
    recordAudit(ctx, { action: "waiver.revoke", target: { type: "waiver", id: row.id }, before, after });
    return after;
  });
}
