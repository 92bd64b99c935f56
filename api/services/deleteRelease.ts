import { eq } from "drizzle-orm";
import { releases } from "../db/schema/index.js";
import { Conflict } from "../errors.js";
import { getRelease } from "../releases/queries.js";
import { releaseUsers } from "../releases/usage.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

/** Deletes a release nothing refers to (no desired generation, no rollout); otherwise Conflict. Audit: release.delete. */
export function deleteRelease({ ctx, input }: ServiceCall<{ id: string }>): { id: string } {
  return transact(ctx, () => {
    const { manifest: _manifest, ...before } = getRelease(ctx.db, input.id);
    const users = releaseUsers
      .map((u) => ({ kind: u.kind, ids: u.find(ctx.db, input.id) }))
      .filter((u) => u.ids.length > 0);
    if (users.length > 0)
      throw new Conflict(
        `release ${input.id} is in use: ${users.map((u) => `${u.kind} ${u.ids.slice(0, 5).join(", ")}`).join("; ")}`,
        { usedBy: users },
      );
    ctx.db.orm.delete(releases).where(eq(releases.id, input.id)).run();
    recordAudit(ctx, { action: "release.delete", target: { type: "release", id: input.id }, before });
    return { id: input.id };
  });
}
