import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The audit trail: one row per mutation, written in the mutation's transaction. Rows form a hash chain:
 * `hash` = SHA-256 over the canonical JSON of the row's content including `seq` and `prevHash` (see
 * api/services/audit-chain.ts), so edits, deletions and reorderings are detectable.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull().unique(),
    at: integer("at").notNull(),
    actorKind: text("actor_kind", { enum: ["user", "agent", "system"] }).notNull(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    before: text("before"),
    after: text("after"),
    requestId: text("request_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_action_idx").on(t.action, t.seq),
    index("audit_events_target_idx").on(t.targetType, t.targetId, t.seq),
  ],
);
