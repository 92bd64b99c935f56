/**
 * Rollouts (owned by the rollout work, H4): the engine's state as rows — one per rollout, batch and host — so a
 * tick writes only what changed, plus the command outbox the scheduler fills before it applies anything, and
 * the event log `rollout watch` streams. Governance lives beside it: policies, waivers, gate decisions.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const rollouts = sqliteTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    /** null only for a rollback to each host's previous generation (no single release describes it) */
    releaseId: text("release_id"),
    /** set on a rollback: the rollout it undoes */
    rollbackOf: text("rollback_of"),
    status: text("status", {
      enum: ["pending", "running", "paused", "succeeded", "failed", "aborted"],
    }).notNull(),
    /** the RolloutSpec as submitted (JSON); the engine's normalised spec is derived from it */
    spec: text("spec").notNull(),
    current: integer("current").notNull(),
    pauseReason: text("pause_reason"),
    failureReason: text("failure_reason"),
    failedTotal: integer("failed_total").notNull(),
    targetsTotal: integer("targets_total").notNull(),
    revertRequested: integer("revert_requested", { mode: "boolean" }).notNull(),
    /** the rollback rollout started for this one, if any */
    revertRolloutId: text("revert_rollout_id"),
    /** the release the targets ran before (what a revert goes back to), when known */
    previousReleaseId: text("previous_release_id"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    /** +1 on every persisted step: the scheduler reloads its cached state when another writer moved it */
    version: integer("version").notNull(),
  },
  (t) => [index("rollouts_status_idx").on(t.status), index("rollouts_release_idx").on(t.releaseId)],
);

export const rolloutBatches = sqliteTable(
  "rollout_batches",
  {
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    idx: integer("idx").notNull(),
    amount: text("amount").notNull(),
    size: integer("size").notNull(),
    seqLength: integer("seq_length").notNull(),
    next: integer("next").notNull(),
    timeoutCursor: integer("timeout_cursor").notNull(),
    phase: text("phase").notNull(),
    accepted: integer("accepted", { mode: "boolean" }).notNull(),
    inFlight: integer("in_flight").notNull(),
    confirmed: integer("confirmed").notNull(),
    failed: integer("failed").notNull(),
    inconclusive: integer("inconclusive").notNull(),
    gateDecisionId: text("gate_decision_id"),
    startedAt: integer("started_at"),
    bakeUntil: integer("bake_until"),
    finishedAt: integer("finished_at"),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.idx] })],
);

export const rolloutHosts = sqliteTable(
  "rollout_hosts",
  {
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    machineId: text("machine_id").notNull(),
    /** position in the plan (batch order, then seeded host order): the order hosts are restored in */
    position: integer("position").notNull(),
    batch: integer("batch").notNull(),
    outcome: text("outcome").notNull(),
    attempt: integer("attempt").notNull(),
    seq: integer("seq").notNull(),
    assignedAt: integer("assigned_at"),
    lastReportAt: integer("last_report_at"),
    inconclusive: integer("inconclusive", { mode: "boolean" }).notNull(),
    reason: text("reason"),
    /** the toplevel this rollout sets for the machine */
    storePath: text("store_path").notNull(),
    /** what the machine reported running when the rollout was planned (a revert's target) */
    previousStorePath: text("previous_store_path"),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.machineId] }),
    index("rollout_hosts_machine_idx").on(t.machineId),
    index("rollout_hosts_position_idx").on(t.rolloutId, t.position),
  ],
);

/**
 * The outbox: commands are inserted in the same transaction as the state that produced them and applied
 * afterwards; a command without applied_at after a crash is applied on restart (every command is idempotent).
 */
export const rolloutCommands = sqliteTable(
  "rollout_commands",
  {
    seq: integer("seq").primaryKey(),
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    command: text("command").notNull(),
    createdAt: integer("created_at").notNull(),
    appliedAt: integer("applied_at"),
  },
  (t) => [index("rollout_commands_pending_idx").on(t.seq).where(sql`applied_at IS NULL`)],
);

/** What happened, for humans and `rollout watch`; append-only, read by (rollout, seq). */
export const rolloutEvents = sqliteTable(
  "rollout_events",
  {
    seq: integer("seq").primaryKey(),
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    batch: integer("batch"),
    machineId: text("machine_id"),
    message: text("message").notNull(),
  },
  (t) => [index("rollout_events_rollout_idx").on(t.rolloutId, t.seq)],
);

/** Named positions of the scheduler in append-only tables (e.g. the last agent report it consumed). */
export const schedulerCursors = sqliteTable("scheduler_cursors", {
  name: text("name").primaryKey(),
  position: integer("position").notNull(),
});

/** Every version of the governance policy; the newest is in force. */
export const policies = sqliteTable("policies", {
  id: text("id").primaryKey(),
  version: integer("version").notNull().unique(),
  document: text("document").notNull(),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

export const waivers = sqliteTable(
  "waivers",
  {
    id: text("id").primaryKey(),
    controlId: text("control_id").notNull(),
    hosts: text("hosts").notNull(),
    tags: text("tags").notNull(),
    rationale: text("rationale").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedAt: integer("requested_at").notNull(),
    approvedBy: text("approved_by"),
    approvedAt: integer("approved_at"),
    expiresAt: integer("expires_at").notNull(),
    revokedBy: text("revoked_by"),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
  },
  (t) => [index("waivers_control_idx").on(t.controlId)],
);

/** Every gate decision, with the signed-off evidence record (kind gate-decision) that carries it. */
export const gateDecisions = sqliteTable(
  "gate_decisions",
  {
    id: text("id").primaryKey(),
    rolloutId: text("rollout_id"),
    releaseId: text("release_id"),
    phase: text("phase").notNull(),
    batch: integer("batch"),
    decision: text("decision", { enum: ["allow", "block"] }).notNull(),
    decidedAt: integer("decided_at").notNull(),
    evidenceId: text("evidence_id").notNull().unique(),
    sha256: text("sha256").notNull(),
    /** the EvidenceRecord (JSON) whose payload is the full decision with its reasons */
    record: text("record").notNull(),
  },
  (t) => [index("gate_decisions_rollout_idx").on(t.rolloutId, t.decidedAt)],
);
