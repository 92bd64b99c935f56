import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { machines } from "./machines.js";

/**
 * What each machine should run. Written only through `setDesiredGeneration` (the rollout scheduler and
 * operators); read by GET /agents/{id}/desired. `version` increases on every change.
 */
export const desiredGenerations = sqliteTable("desired_generations", {
  machineId: text("machine_id")
    .primaryKey()
    .references(() => machines.id, { onDelete: "cascade" }),
  storePath: text("store_path"),
  releaseId: text("release_id"),
  rolloutId: text("rollout_id"),
  cacheUrl: text("cache_url"),
  confirmWindowMs: integer("confirm_window_ms"),
  healthTimeoutMs: integer("health_timeout_ms"),
  healthChecks: text("health_checks"),
  pollAfterMs: integer("poll_after_ms"),
  version: integer("version").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/** Agent status reports, append-only, in arrival order (`seq`); the scheduler reads them by rollout or machine. */
export const agentReports = sqliteTable(
  "agent_reports",
  {
    seq: integer("seq").primaryKey(),
    machineId: text("machine_id")
      .notNull()
      .references(() => machines.id),
    rolloutId: text("rollout_id"),
    storePath: text("store_path"),
    state: text("state").notNull(),
    agentState: text("agent_state"),
    reason: text("reason"),
    inconclusive: integer("inconclusive", { mode: "boolean" }),
    currentStorePath: text("current_store_path"),
    healthChecks: text("health_checks"),
    reportedAt: text("reported_at").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    index("agent_reports_machine_idx").on(t.machineId, t.seq),
    index("agent_reports_rollout_idx").on(t.rolloutId, t.seq),
  ],
);

/** Accepted confirmations: the agent's generation passed its health checks while it was still desired. */
export const generationConfirmations = sqliteTable(
  "generation_confirmations",
  {
    seq: integer("seq").primaryKey(),
    machineId: text("machine_id")
      .notNull()
      .references(() => machines.id),
    rolloutId: text("rollout_id"),
    storePath: text("store_path").notNull(),
    healthChecks: text("health_checks"),
    confirmedAt: integer("confirmed_at").notNull(),
  },
  (t) => [
    index("generation_confirmations_machine_idx").on(t.machineId, t.seq),
    index("generation_confirmations_rollout_idx").on(t.rolloutId, t.seq),
  ],
);
