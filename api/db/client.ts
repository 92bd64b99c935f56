/** Opening the SQLite database (WAL, foreign keys, busy timeout) and applying the committed migrations. */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate as drizzleMigrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema/index.js";

export type Orm = BetterSQLite3Database<typeof schema>;

/** The database handle services use: drizzle for typed queries, the raw connection for prepared hot paths. */
export interface Db {
  sqlite: Database.Database;
  orm: Orm;
  path: string;
}

/** Opens (creating when missing) a database file, or ":memory:". Does not migrate: call `migrate(db)`. */
export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets readers run beside the writer; FULL makes an acknowledged commit survive power loss, not only a crash.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return { sqlite, orm: drizzle(sqlite, { schema }), path };
}

/** The committed migrations: beside this file in the source tree; from dist/ they are found in the source tree. */
export function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "migrations"), join(here, "..", "..", "..", "api", "db", "migrations")];
  const found = candidates.find((c) => existsSync(join(c, "meta", "_journal.json")));
  if (!found) throw new Error(`no migrations found (looked in ${candidates.join(", ")})`);
  return found;
}

/** Applies every pending migration; idempotent. The server runs it before serving, and `nixfleet db migrate`. */
export function migrate(db: Db): { applied: number } {
  const before = countApplied(db);
  drizzleMigrate(db.orm, { migrationsFolder: migrationsFolder() });
  return { applied: countApplied(db) - before };
}

function countApplied(db: Db): number {
  const exists = db.sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!exists) return 0;
  return (db.sqlite.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
}

/** Opens and migrates: what the server and the offline CLI commands use. */
export function openMigrated(path: string): Db {
  const db = openDatabase(path);
  migrate(db);
  return db;
}
