import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { machines } from "./machines.js";

/** Bearer tokens. Only the SHA-256 of the secret is stored; the secret is shown once at creation. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: ["admin", "operator", "auditor", "agent"] }).notNull(),
    machineId: text("machine_id").references(() => machines.id),
    secretHash: text("secret_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_machine_idx").on(t.machineId)],
);

/** Revoked agent certificates (by serial number), checked by the server on every mTLS identity it caches. */
export const certificateRevocations = sqliteTable("certificate_revocations", {
  serial: text("serial").primaryKey(),
  machineId: text("machine_id"),
  fingerprint: text("fingerprint"),
  revokedAt: integer("revoked_at").notNull(),
  reason: text("reason"),
});
