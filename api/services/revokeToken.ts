import { eq } from "drizzle-orm";
import { apiTokens } from "../db/schema/index.js";
import { getToken, type TokenView } from "../tokens/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/** Revokes a token (idempotent: revoking twice keeps the first time). Audit: token.revoke. */
export function revokeToken({ ctx, input }: ServiceCall<{ id: string }>): TokenView {
  return transact(ctx, () => {
    const before = getToken(ctx.db, input.id);
    if (before.revokedAt !== null) return before;
    ctx.db.orm.update(apiTokens).set({ revokedAt: ctx.clock.now() }).where(eq(apiTokens.id, input.id)).run();
    const after = getToken(ctx.db, input.id);
    recordAudit(ctx, { action: "token.revoke", target: { type: "token", id: input.id }, before, after });
    return after;
  });
}
