import { certificateRevocations } from "../db/schema/index.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

export interface RevokeCertificateInput {
  /** serial number, hex */
  serial: string;
  machineId?: string;
  fingerprint?: string;
  reason?: string;
}

/**
 * Adds an agent certificate to the revocation list the server checks (idempotent). A running server sees it
 * within its credential cache TTL. Audit: certificate.revoke.
 */
export function revokeCertificate({ ctx, input }: ServiceCall<RevokeCertificateInput>): {
  serial: string;
  revoked: boolean;
} {
  const serial = input.serial.toUpperCase();
  return transact(ctx, () => {
    const inserted = ctx.db.orm
      .insert(certificateRevocations)
      .values({
        serial,
        machineId: input.machineId ?? null,
        fingerprint: input.fingerprint ?? null,
        revokedAt: ctx.clock.now(),
        reason: input.reason ?? null,
      })
      .onConflictDoNothing()
      .run().changes;
    if (inserted === 0) return { serial, revoked: false };
    recordAudit(ctx, {
      action: "certificate.revoke",
      target: { type: "certificate", id: serial },
      after: { serial, machineId: input.machineId, fingerprint: input.fingerprint, reason: input.reason },
    });
    return { serial, revoked: true };
  });
}
