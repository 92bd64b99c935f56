import type { WaiverRecord } from "../../../schemas/generated/waiver-record.js";
import type { WaiverRequest } from "../../../schemas/generated/waiver-request.js";
import { newId } from "../../../schemas/ids.js";
import { actorLabel } from "../../env.js";
import { ValidationFailed } from "../../errors.js";
import { recordAudit } from "../../services/audit-chain.js";
import { type ServiceCall, transact } from "../../services/context.js";
import { getWaiverRow, toWaiverRecord } from "../queries.js";

/**
 * Records a request for an exception to one control. It does not count until an admin other than the
 * requester approves it (approveWaiver). Audit: waiver.request.
 */
export function requestWaiver({ ctx, input }: ServiceCall<WaiverRequest>): WaiverRecord {
  return transact(ctx, () => {
    const now = ctx.clock.now();
    const expiresAt = Date.parse(input.expiresAt);
    if (!(expiresAt > now))
      throw new ValidationFailed("a waiver must expire in the future", [
        { path: "/expiresAt", message: `must be later than ${new Date(now).toISOString()}` },
      ]);
    const id = newId("wvr", now);
    ctx.db.sqlite
      .prepare(
        `INSERT INTO waivers (id, control_id, hosts, tags, rationale, requested_by, requested_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.controlId,
        JSON.stringify([...new Set(input.hosts ?? [])].sort()),
        JSON.stringify([...new Set(input.tags ?? [])].sort()),
        input.rationale,
        actorLabel(ctx.actor),
        now,
        expiresAt,
      );
    const waiver = toWaiverRecord(getWaiverRow(ctx.db, id), now);
    recordAudit(ctx, { action: "waiver.request", target: { type: "waiver", id }, after: waiver });
    return waiver;
  });
}
