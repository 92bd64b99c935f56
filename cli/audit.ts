/** `nixfleet audit verify|list|export`: the tamper-evident audit trail. `verify` works offline on the database file. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { AuditEventView } from "../api/audit/queries.js";
import { openDatabase } from "../api/db/client.js";
import { verifyAuditChain } from "../api/services/audit-chain.js";
import { CheckFailed, UsageError } from "./errors.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

interface FilterFlags {
  action?: string;
  actor?: string;
  targetType?: string;
  target?: string;
  since?: string;
  until?: string;
}

function filterQuery(f: FilterFlags): Record<string, string | undefined> {
  return {
    action: f.action,
    actor: f.actor,
    targetType: f.targetType,
    targetId: f.target,
    since: f.since,
    until: f.until,
  };
}

function withFilters(cmd: Command): Command {
  return cmd
    .option("--action <entity.verb>", "only this action (entity.* for all verbs of an entity)")
    .option("--actor <id>", "only this actor (token id, machine id)")
    .option("--target-type <type>", "machine, token, release, …")
    .option("--target <id>", "only events about this id")
    .option("--since <date-time>", "at or after")
    .option("--until <date-time>", "before");
}

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description("The audit trail: verify its hash chain, list and export events");

  audit
    .command("verify")
    .description("Verify the audit hash chain of a database file; exit 1 naming the first bad event")
    .requiredOption("--db <path>", "control-plane database")
    .option(
      "--expect-head <sha256>",
      "head hash exported earlier: also detects a deleted tail or a rewritten chain",
    )
    .option("--json", "print JSON")
    .action((opts: { db: string; expectHead?: string; json?: boolean }) => {
      const db = openDatabase(opts.db);
      let verdict: ReturnType<typeof verifyAuditChain>;
      try {
        const hasTable = db.sqlite
          .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit_events'")
          .get();
        if (!hasTable)
          throw new UsageError(`${opts.db}: not a control-plane database (no audit_events table)`);
        verdict = verifyAuditChain(db);
      } finally {
        db.sqlite.close();
      }
      let headProblem: string | undefined;
      if (verdict.ok && opts.expectHead && opts.expectHead !== verdict.headHash) {
        // A head exported earlier must still be in the chain; a different head with fewer events means deletion.
        headProblem = `the chain head is ${verdict.headHash}, not the expected ${opts.expectHead}`;
      }
      output(opts, { ...verdict, ...(headProblem ? { ok: false, headProblem } : {}) }, () =>
        verdict.ok && !headProblem
          ? `audit chain intact: ${verdict.events} events, head ${verdict.headHash}`
          : verdict.firstBad
            ? `audit chain BROKEN at event #${verdict.firstBad.seq} (${verdict.firstBad.id}): ${verdict.firstBad.problem} — ${verdict.firstBad.detail}`
            : `audit chain does not match: ${headProblem}`,
      );
      if (!verdict.ok || headProblem) {
        const bad = verdict.firstBad;
        throw new CheckFailed(
          bad
            ? `audit chain broken at event #${bad.seq} (${bad.id}): ${bad.problem}`
            : `audit chain head mismatch`,
          true,
        );
      }
    });

  withRemoteOptions(
    withFilters(
      audit
        .command("list")
        .description("Audit events, newest first")
        .option("--limit <n>", "page size", "50")
        .option("--all", "follow every page"),
    ),
  ).action(async (opts: RemoteOptions & FilterFlags & { limit: string; all?: boolean }) => {
    const api = remoteClient(opts);
    const items: AuditEventView[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get<{ items: AuditEventView[]; nextCursor?: string }>("/api/v1/audit", {
        ...filterQuery(opts),
        limit: opts.limit,
        cursor,
      });
      items.push(...page.items);
      cursor = opts.all ? page.nextCursor : undefined;
    } while (cursor);
    output(opts, { items }, () =>
      table(
        items.map((e) => ({
          seq: e.seq,
          at: e.at,
          actor: `${e.actor.kind}:${e.actor.id}`,
          action: e.action,
          target: `${e.target.type}:${e.target.id}`,
        })),
        ["seq", "at", "actor", "action", "target"],
      ),
    );
  });

  withRemoteOptions(
    withFilters(
      audit
        .command("export")
        .description("Export events oldest first as CSV (formula-injection safe) or JSON lines")
        .option("--format <format>", "csv | jsonl", "jsonl")
        .option("--out <file>", "write to a file instead of stdout"),
    ),
  ).action(async (opts: RemoteOptions & FilterFlags & { format: string; out?: string }) => {
    if (opts.format !== "csv" && opts.format !== "jsonl")
      throw new UsageError("--format must be csv or jsonl");
    const text = await remoteClient(opts).text("GET", "/api/v1/audit/export", {
      ...filterQuery(opts),
      format: opts.format,
    });
    if (opts.out) writeFileSync(opts.out, text);
    else process.stdout.write(text);
  });
}
