import { randomBytes } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { canonicalize, sha256Hex } from "../../evidence/canonical.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { EvidenceBatch } from "../../schemas/generated/evidence-batch.js";
import { newId } from "../../schemas/ids.js";
import { check } from "../../schemas/registry.js";
import { desiredRow } from "../agents/queries.js";
import type { Db } from "../db/client.js";
import { NotFound, PreconditionFailed, ValidationFailed } from "../errors.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

const PAYLOAD_SCHEMA = {
  "runtime-report": "runtime-report",
  "health-check": "health-check-result",
  "control-result": "control-result",
} as const;

const statements = new WeakMap<
  Db,
  { item: BetterSqlite3.Statement; requirement: BetterSqlite3.Statement; seen: BetterSqlite3.Statement }
>();

function prepared(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      item: db.sqlite.prepare(
        `INSERT INTO evidence_items (id, machine_id, idempotency_key, kind, collected_at, received_at, sha256, payload,
           control_id, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (machine_id, idempotency_key) DO NOTHING`,
      ),
      requirement: db.sqlite.prepare(
        "INSERT OR IGNORE INTO evidence_requirements (evidence_seq, framework, requirement) VALUES (?, ?, ?)",
      ),
      seen: db.sqlite.prepare("UPDATE machines SET last_seen_at = ? WHERE id = ?"),
    };
    statements.set(db, s);
  }
  return s;
}

export interface IngestOutcome {
  accepted: number;
  stored: number;
  duplicates: number;
}

/**
 * Stores a batch of runtime evidence in one transaction. An item whose (machine, idempotency key) was seen
 * before is acknowledged and not stored again, so an agent may resend a batch whose answer it never got.
 * Every payload is checked against its kind's schema first; one bad item rejects the batch and stores nothing.
 * Audit: evidence.ingest (one event per batch, with the counts).
 */
export function ingestEvidence({ ctx, input }: ServiceCall<EvidenceBatch>): IngestOutcome {
  input.items.forEach((item, index) => {
    const issues = check(PAYLOAD_SCHEMA[item.kind], item.payload);
    if (issues.length > 0)
      throw new ValidationFailed(
        `item ${index} (${item.kind}) does not match its schema`,
        issues.slice(0, 20).map((i) => ({ path: `/items/${index}/payload${i.path}`, message: i.message })),
      );
    if (
      item.kind === "runtime-report" &&
      (item.payload as { machineId?: string }).machineId !== input.machineId
    )
      throw new ValidationFailed(`item ${index}: a runtime report of another machine`, [
        { path: `/items/${index}/payload/machineId`, message: `must be ${input.machineId}` },
      ]);
  });
  return transact(ctx, () => {
    const machine = desiredRow(ctx.db, input.machineId);
    if (!machine) throw new NotFound(`machine ${input.machineId} is not registered`);
    if (machine.lifecycle === "decommissioned")
      throw new PreconditionFailed(`machine ${input.machineId} is decommissioned`);
    const s = prepared(ctx.db);
    const now = ctx.clock.now();
    let stored = 0;
    // One draw of randomness for the whole batch: a syscall per evidence id was a fifth of the ingest time.
    const entropy = randomBytes(10 * input.items.length);
    input.items.forEach((item, index) => {
      const result = item.kind === "control-result" ? (item.payload as unknown as ControlResult) : undefined;
      // The payload is stored as its canonical JSON (RFC 8785), so sha256 is checkable against the stored text.
      const canonical = canonicalize(item.payload);
      const info = s.item.run(
        newId("evd", now, entropy.subarray(index * 10, index * 10 + 10)),
        input.machineId,
        item.idempotencyKey,
        item.kind,
        Date.parse(item.collectedAt),
        now,
        sha256Hex(canonical),
        canonical,
        result?.controlId ?? null,
        result?.status ?? null,
      );
      if (info.changes === 0) return;
      stored++;
      if (result)
        for (const m of result.mappings) s.requirement.run(info.lastInsertRowid, m.framework, m.requirement);
    });
    s.seen.run(now, input.machineId);
    const outcome = { accepted: input.items.length, stored, duplicates: input.items.length - stored };
    recordAudit(ctx, {
      action: "evidence.ingest",
      target: { type: "machine", id: input.machineId },
      after: { ...outcome, outboxDropped: input.outboxDropped },
    });
    return outcome;
  });
}
