import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A machine of the fleet. `id` is the machine id agents use (e.g. "web-01" or a generated mch_ id). */
export const machines = sqliteTable(
  "machines",
  {
    id: text("id").primaryKey(),
    hostName: text("host_name").notNull(),
    platform: text("platform", { enum: ["nixos", "darwin"] }),
    lifecycle: text("lifecycle", {
      enum: ["registered", "active", "maintenance", "decommissioned"],
    }).notNull(),
    registeredAt: integer("registered_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastSeenAt: integer("last_seen_at"),
    lastState: text("last_state"),
    currentStorePath: text("current_store_path"),
  },
  (t) => [index("machines_lifecycle_idx").on(t.lifecycle)],
);

/** Tags as child rows: the machine list filters on them. One row per tag, with its origin (docs/adr/0820). */
export const machineTags = sqliteTable(
  "machine_tags",
  {
    machineId: text("machine_id")
      .notNull()
      .references(() => machines.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    /** who set the tag: an operator (register, PATCH) or the machine's agent from its configuration */
    origin: text("origin", { enum: ["operator", "agent"] })
      .notNull()
      .default("operator"),
  },
  (t) => [
    primaryKey({ columns: [t.machineId, t.tag] }),
    index("machine_tags_tag_idx").on(t.tag, t.machineId),
  ],
);
