/**
 * `nixfleet token create|list|revoke`. With --db the command works offline on the database (how the first admin
 * token is made on the server host); without it, it talks to the control plane (admin token needed).
 */
import type { Command } from "commander";
import { type Db, openMigrated } from "../api/db/client.js";
import { systemClock } from "../api/env.js";
import { systemContext } from "../api/services/context.js";
import { createToken } from "../api/services/createToken.js";
import { revokeToken } from "../api/services/revokeToken.js";
import { listTokens, type TokenView } from "../api/tokens/queries.js";
import type { TokenCreate } from "../schemas/generated/token-create.js";
import { validate } from "../schemas/registry.js";
import { UsageError } from "./errors.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

interface TokenFlags extends RemoteOptions {
  db?: string;
}

function offline<T>(path: string, fn: (db: Db) => T): T {
  const db = openMigrated(path);
  try {
    return fn(db);
  } finally {
    db.sqlite.close();
  }
}

const COLUMNS = ["id", "name", "role", "machineId", "createdAt", "expiresAt", "revokedAt"];

export function registerTokenCommand(program: Command): void {
  const token = program
    .command("token")
    .description("Bearer tokens: roles admin, operator, auditor, agent (bound to a machine)");

  withRemoteOptions(
    token
      .command("create")
      .description("Create a token and print its secret once")
      .requiredOption("--role <role>", "admin | operator | auditor | agent")
      .option("--machine <id>", "machine the agent token is bound to (role agent)")
      .option("--name <name>", "a name people recognise")
      .option("--expires-in-days <days>", "expiry in days (default: never)")
      .option("--db <path>", "work offline on this database instead of calling the server"),
  ).action(
    async (opts: TokenFlags & { role: string; machine?: string; name?: string; expiresInDays?: string }) => {
      const days = opts.expiresInDays;
      if (days !== undefined && !/^\d+$/.test(days))
        throw new UsageError("--expires-in-days must be a whole number");
      const input = validate<TokenCreate>(
        "token-create",
        {
          role: opts.role,
          ...(opts.machine ? { machineId: opts.machine } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(days ? { expiresInSeconds: Number(days) * 86_400 } : {}),
        },
        "token create options",
      );
      const created = opts.db
        ? offline(opts.db, (db) =>
            createToken({ ctx: systemContext(db, systemClock, "cli token create (offline)"), input }),
          )
        : await remoteClient(opts).call<TokenView & { token: string }>("POST", "/api/v1/tokens", input);
      output(opts, created, () =>
        [
          `token ${created.id} (${created.role}${created.machineId ? ` for ${created.machineId}` : ""}) — shown once, store it now:`,
          created.token,
        ].join("\n"),
      );
    },
  );

  withRemoteOptions(
    token
      .command("list")
      .description("List tokens (never their secrets)")
      .option("--db <path>", "read this database offline"),
  ).action(async (opts: TokenFlags) => {
    const items = opts.db
      ? offline(opts.db, (db) => listTokens(db, { limit: 500 }).items)
      : (await remoteClient(opts).get<{ items: TokenView[] }>("/api/v1/tokens", { limit: "500" })).items;
    output(opts, { items }, () => table(items as unknown as Record<string, unknown>[], COLUMNS));
  });

  withRemoteOptions(
    token
      .command("revoke")
      .description("Revoke a token")
      .argument("<id>", "token id (tok_…)")
      .option("--db <path>", "work offline on this database"),
  ).action(async (id: string, opts: TokenFlags) => {
    const revoked = opts.db
      ? offline(opts.db, (db) =>
          revokeToken({ ctx: systemContext(db, systemClock, "cli token revoke (offline)"), input: { id } }),
        )
      : await remoteClient(opts).call<TokenView>("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`);
    output(opts, revoked, () => `token ${revoked.id} revoked at ${revoked.revokedAt}`);
  });
}
