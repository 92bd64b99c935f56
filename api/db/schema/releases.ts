import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Immutable, content-addressed releases: id and sha256 derive from the canonical manifest. */
export const releases = sqliteTable("releases", {
  id: text("id").primaryKey(),
  sha256: text("sha256").notNull().unique(),
  manifest: text("manifest").notNull(),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

/** host → toplevel of each release, as rows so "which release runs this path" is a query. */
export const releaseHosts = sqliteTable(
  "release_hosts",
  {
    releaseId: text("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    host: text("host").notNull(),
    toplevel: text("toplevel").notNull(),
    failing: integer("failing").notNull(),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.host] }), index("release_hosts_toplevel_idx").on(t.toplevel)],
);
