/**
 * The audit trail as a hash chain. Each event stores the previous event's hash and its own hash, computed over
 * the canonical JSON (RFC 8785) of its content including its sequence number, so:
 * - an edited row no longer matches its own hash;
 * - a deleted row leaves a gap in `seq` and breaks the next row's `prevHash`;
 * - swapped rows break `prevHash` links (and their hashes, which cover `seq`);
 * - a deleted tail, or a chain rewritten from scratch by someone with write access to the file, is caught only
 *   against a head hash exported earlier (`nixfleet audit verify --expect-head`); see docs/adr/0304-audit-hash-chain.md.
 */
import { canonicalize, sha256Hex } from "../../evidence/canonical.js";
import { newId } from "../../schemas/ids.js";
import type { Db } from "../db/client.js";
import type { Actor } from "../env.js";
import type { ServiceContext } from "./context.js";

export const GENESIS_HASH = "0".repeat(64);

/** Keys whose values never enter the audit trail. */
const SECRET_KEY = /secret|password|passphrase|privatekey|private_key|^token$|tokenhash|^key$/i;

/** A deep copy without secret-looking members (replaced by "[redacted]"). */
export function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k] = SECRET_KEY.test(k) ? "[redacted]" : stripSecrets(v);
    }
    return out;
  }
  return value;
}

export interface AuditInput {
  /** `entity.verb`, e.g. "machine.register". */
  action: string;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
}

/** The content an event's hash covers. */
export interface AuditHashed {
  seq: number;
  id: string;
  at: number;
  actorKind: string;
  actorId: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
  prevHash: string;
}

export function auditHash(event: AuditHashed): string {
  return sha256Hex(canonicalize(event));
}

function actorColumns(actor: Actor): { actorKind: Actor["kind"]; actorId: string; actorRole: string | null } {
  switch (actor.kind) {
    case "user":
      return { actorKind: "user", actorId: actor.tokenId, actorRole: actor.role };
    case "agent":
      return { actorKind: "agent", actorId: actor.machineId, actorRole: `agent/${actor.via}` };
    case "system":
      return { actorKind: "system", actorId: actor.reason, actorRole: null };
  }
}

const statements = new WeakMap<
  Db,
  { head: import("better-sqlite3").Statement; insert: import("better-sqlite3").Statement }
>();

function prepared(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.sqlite.prepare("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"),
      insert: db.sqlite.prepare(
        `INSERT INTO audit_events (seq, id, at, actor_kind, actor_id, actor_role, action, target_type, target_id,
           before, after, request_id, prev_hash, hash)
         VALUES (@seq, @id, @at, @actorKind, @actorId, @actorRole, @action, @targetType, @targetId,
           @before, @after, @requestId, @prevHash, @hash)`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

/** Appends one event to the chain. Must run inside the mutation's transaction (see `transact`). */
export function recordAudit(ctx: ServiceContext, input: AuditInput): string {
  const { db } = ctx;
  if (!db.sqlite.inTransaction) throw new Error("recordAudit must run inside the mutation's transaction");
  const s = prepared(db);
  const head = s.head.get() as { seq: number; hash: string } | undefined;
  const event: AuditHashed = {
    seq: (head?.seq ?? 0) + 1,
    id: newId("aud", ctx.clock.now()),
    at: ctx.clock.now(),
    ...actorColumns(ctx.actor),
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id,
    before: input.before === undefined ? null : JSON.stringify(stripSecrets(input.before)),
    after: input.after === undefined ? null : JSON.stringify(stripSecrets(input.after)),
    requestId: ctx.requestId ?? null,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  s.insert.run({ ...event, hash: auditHash(event) });
  return event.id;
}

export interface AuditChainProblem {
  seq: number;
  id: string;
  problem: "hash-mismatch" | "broken-link" | "sequence-gap";
  detail: string;
}

export interface AuditChainVerdict {
  ok: boolean;
  events: number;
  headHash: string;
  firstBad?: AuditChainProblem;
}

/** Walks the chain in `seq` order and names the first event that does not verify. */
export function verifyAuditChain(db: Db): AuditChainVerdict {
  const rows = db.sqlite
    .prepare(
      `SELECT seq, id, at, actor_kind AS actorKind, actor_id AS actorId, actor_role AS actorRole, action,
         target_type AS targetType, target_id AS targetId, before, after, request_id AS requestId,
         prev_hash AS prevHash, hash
       FROM audit_events ORDER BY seq`,
    )
    .iterate() as IterableIterator<AuditHashed & { hash: string }>;
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let events = 0;
  for (const row of rows) {
    const { hash, ...content } = row;
    const bad = (problem: AuditChainProblem["problem"], detail: string): AuditChainVerdict => ({
      ok: false,
      events,
      headHash: prev,
      firstBad: { seq: row.seq, id: row.id, problem, detail },
    });
    if (row.seq !== expectedSeq)
      return bad("sequence-gap", `expected event #${expectedSeq}, found #${row.seq}: events were deleted`);
    if (row.prevHash !== prev)
      return bad(
        "broken-link",
        "its previous-hash does not match the event before it: events were deleted or reordered",
      );
    if (auditHash(content) !== hash)
      return bad("hash-mismatch", "its content does not match its hash: it was edited");
    prev = hash;
    expectedSeq++;
    events++;
  }
  return { ok: true, events, headHash: prev };
}
