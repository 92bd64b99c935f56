import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Runtime evidence items from agents. (machine, idempotency key) is unique: a resent item is acknowledged and
 * not stored twice. control-result items carry their control id and status as columns (they are queried).
 */
export const evidenceItems = sqliteTable(
  "evidence_items",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    machineId: text("machine_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    kind: text("kind", { enum: ["runtime-report", "health-check", "control-result"] }).notNull(),
    collectedAt: integer("collected_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    sha256: text("sha256").notNull(),
    payload: text("payload").notNull(),
    controlId: text("control_id"),
    status: text("status"),
  },
  (t) => [
    uniqueIndex("evidence_items_idempotency_idx").on(t.machineId, t.idempotencyKey),
    index("evidence_items_machine_time_idx").on(t.machineId, t.kind, t.collectedAt),
    index("evidence_items_control_idx").on(t.controlId, t.collectedAt),
  ],
);

/** Framework requirements a control-result item maps to, as child rows (queried by requirement). */
export const evidenceRequirements = sqliteTable(
  "evidence_requirements",
  {
    evidenceSeq: integer("evidence_seq").notNull(),
    framework: text("framework").notNull(),
    requirement: text("requirement").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.evidenceSeq, t.framework, t.requirement] }),
    index("evidence_requirements_req_idx").on(t.framework, t.requirement),
  ],
);
