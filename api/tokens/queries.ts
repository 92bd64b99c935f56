import { desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { apiTokens } from "../db/schema/index.js";
import { NotFound } from "../errors.js";

/** A token as shown to people: never the secret, never its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: "admin" | "operator" | "auditor" | "agent";
  machineId: string | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

type TokenRow = typeof apiTokens.$inferSelect;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toTokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    machineId: row.machineId,
    createdAt: new Date(row.createdAt).toISOString(),
    createdBy: row.createdBy,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
  };
}

export function getToken(db: Db, id: string): TokenView {
  const row = db.orm.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  if (!row) throw new NotFound(`token ${id} does not exist`);
  return toTokenView(row);
}

/** Tokens newest first, in cursor pages (cursor: the last id seen; ids sort by time). */
export function listTokens(
  db: Db,
  q: { before?: string; limit: number },
): { items: TokenView[]; next?: string } {
  const rows = db.orm
    .select()
    .from(apiTokens)
    .where(q.before ? lt(apiTokens.id, q.before) : undefined)
    .orderBy(desc(apiTokens.id))
    .limit(q.limit + 1)
    .all();
  const items = rows.slice(0, q.limit).map(toTokenView);
  return rows.length > q.limit ? { items, next: items[items.length - 1]?.id } : { items };
}
