/** `nixfleet db migrate --db PATH`: applies the committed migrations (the server also does this at start). */
import type { Command } from "commander";
import { migrate, openDatabase } from "../api/db/client.js";
import { output } from "./remote.js";

export function registerDbCommand(program: Command): void {
  const db = program.command("db").description("Control-plane database maintenance");
  db.command("migrate")
    .description("Create the database if missing and apply every pending migration")
    .option("--db <path>", "SQLite database", "./.nixfleet/state.db")
    .option("--json", "print JSON")
    .action((opts: { db: string; json?: boolean }) => {
      const handle = openDatabase(opts.db);
      try {
        const { applied } = migrate(handle);
        output(
          opts,
          { db: opts.db, applied },
          () => `${opts.db}: ${applied} migration(s) applied, schema up to date`,
        );
      } finally {
        handle.sqlite.close();
      }
    });
}
