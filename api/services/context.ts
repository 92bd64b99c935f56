/**
 * The service context: who acts, on which database, at what time. Every mutation is a verb
 * `verb({ ctx, input })` in its own file; it runs inside `transact`, which opens one IMMEDIATE transaction or
 * joins the one already open on the connection (better-sqlite3 nests as savepoints), so verbs compose and a
 * failed audit insert rolls back the change with it.
 */
import type { Db } from "../db/client.js";
import type { Actor, Clock } from "../env.js";

export interface ServiceContext {
  db: Db;
  actor: Actor;
  clock: Clock;
  /** The HTTP request that caused the change, recorded in the audit event. */
  requestId?: string;
}

export interface ServiceCall<I> {
  ctx: ServiceContext;
  input: I;
}

/** Runs `fn` in a write transaction: a new IMMEDIATE one, or a savepoint inside the caller's. */
export function transact<T>(ctx: ServiceContext, fn: () => T): T {
  const sqlite = ctx.db.sqlite;
  if (sqlite.inTransaction) return sqlite.transaction(fn)();
  return sqlite.transaction(fn).immediate();
}

/** A context for work the control plane does on its own (scheduler ticks, migrations, offline CLI). */
export function systemContext(db: Db, clock: Clock, reason: string): ServiceContext {
  return { db, clock, actor: { kind: "system", reason } };
}
