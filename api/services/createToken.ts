import type { TokenCreate } from "../../schemas/generated/token-create.js";
import { newId } from "../../schemas/ids.js";
import { apiTokens } from "../db/schema/index.js";
import { actorLabel } from "../env.js";
import { BadRequest, PreconditionFailed } from "../errors.js";
import { hashTokenSecret, newTokenSecret } from "../http/credentials.js";
import { getMachine } from "../machines/queries.js";
import { getToken, type TokenView } from "../tokens/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/**
 * Creates a bearer token. Only the SHA-256 of its high-entropy secret is stored; the secret is returned once.
 * An agent token is bound to one registered machine. Audit: token.create (without the secret).
 */
export function createToken({ ctx, input }: ServiceCall<TokenCreate>): TokenView & { token: string } {
  if (input.role === "agent" && !input.machineId) throw new BadRequest("an agent token needs machineId");
  if (input.role !== "agent" && input.machineId)
    throw new BadRequest("only agent tokens are bound to a machine");
  return transact(ctx, () => {
    if (input.machineId) {
      const machine = getMachine(ctx.db, input.machineId);
      if (machine.lifecycle === "decommissioned")
        throw new PreconditionFailed(`machine ${machine.id} is decommissioned`);
    }
    const now = ctx.clock.now();
    const id = newId("tok", now);
    const secret = newTokenSecret();
    ctx.db.orm
      .insert(apiTokens)
      .values({
        id,
        name: input.name ?? (input.machineId ? `agent ${input.machineId}` : `${input.role} token`),
        role: input.role,
        machineId: input.machineId ?? null,
        secretHash: hashTokenSecret(secret),
        createdAt: now,
        createdBy: actorLabel(ctx.actor),
        expiresAt: input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null,
      })
      .run();
    const view = getToken(ctx.db, id);
    recordAudit(ctx, { action: "token.create", target: { type: "token", id }, after: view });
    return { ...view, token: secret };
  });
}
