/** The agent's local SQLite file: the state machine's current state, the pending generation, and the outbox. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { AgentState } from "./state-machine.js";

/** The generation being applied, written before anything is switched so a restart can undo it. */
export interface PendingGeneration {
  storePath: string;
  rolloutId: string | null;
  releaseId: string | null;
  /** what the profile pointed at before the switch (null on a profile's first generation) */
  previousStorePath: string | null;
  /** when the switch finished (ISO), the start of the confirm window */
  switchedAt: string | null;
  confirmDeadline: string | null;
}

/** The outcome of the last attempt, so the agent neither retries a failed generation forever nor forgets why. */
export interface LastOutcome {
  storePath: string;
  rolloutId: string | null;
  outcome: "confirmed" | "failed" | "rolled-back";
  reason: string;
  at: string;
}

export interface OutboxItem {
  seq: number;
  idempotencyKey: string;
  kind: "runtime-report" | "health-check" | "control-result";
  collectedAt: string;
  payload: Record<string, unknown>;
}

// Schema migrations by user_version; each entry moves the file one version up.
const MIGRATIONS: string[] = [
  `CREATE TABLE agent_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     state TEXT NOT NULL,
     pending TEXT,
     last_outcome TEXT,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     idempotency_key TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     collected_at TEXT NOT NULL,
     payload TEXT NOT NULL
   );
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE status_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);`,
];

export class AgentStore {
  private readonly db: Database.Database;
  private readonly maxOutboxItems: number;
  private readonly saveStatement: Database.Statement;

  constructor(file: string, options: { maxOutboxItems: number }) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: a state change must survive a crash or power loss right after it (the rollback depends on it).
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    // The file holds a state row and a bounded outbox: a small page cache is plenty (default is 2 MB resident).
    this.db.pragma("cache_size = -256");
    this.maxOutboxItems = options.maxOutboxItems;
    this.migrate();
    this.saveStatement = this.db.prepare(
      `INSERT INTO agent_state (id, state, pending, last_outcome, updated_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, pending = excluded.pending,
         last_outcome = excluded.last_outcome, updated_at = excluded.updated_at`,
    );
  }

  // Statements are prepared once: the idle poll runs a few of them every cycle.
  private readonly statements = new Map<string, Database.Statement>();
  private synchronousMode: "FULL" | "NORMAL" = "FULL";

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** The persisted state and pending generation (Idle and none on a fresh file). */
  load(): { state: AgentState; pending: PendingGeneration | null; lastOutcome: LastOutcome | null } {
    const row = this.stmt("SELECT state, pending, last_outcome FROM agent_state WHERE id = 1").get() as
      | { state: string; pending: string | null; last_outcome: string | null }
      | undefined;
    if (!row) return { state: AgentState.Idle, pending: null, lastOutcome: null };
    const state = Object.values(AgentState).includes(row.state as AgentState)
      ? (row.state as AgentState)
      : AgentState.Idle;
    return {
      state,
      pending: row.pending ? (JSON.parse(row.pending) as PendingGeneration) : null,
      lastOutcome: row.last_outcome ? (JSON.parse(row.last_outcome) as LastOutcome) : null,
    };
  }

  /**
   * Persists state, pending generation and last outcome in one write. `durable` writes are synced to disk
   * before returning (synchronous = FULL): used when the state decides what a restart must undo. The others
   * (Idle ↔ Checking on every poll) survive a process crash through the WAL without an fsync each time.
   */
  save(
    state: AgentState,
    pending: PendingGeneration | null,
    lastOutcome: LastOutcome | null,
    durable = true,
  ): void {
    const mode = durable ? "FULL" : "NORMAL";
    if (mode !== this.synchronousMode) {
      this.db.pragma(`synchronous = ${mode}`);
      this.synchronousMode = mode;
    }
    this.saveStatement.run(
      state,
      pending ? JSON.stringify(pending) : null,
      lastOutcome ? JSON.stringify(lastOutcome) : null,
      new Date().toISOString(),
    );
  }

  /**
   * Queues an item. Beyond the bound the oldest items are dropped and counted (`outbox.dropped`):
   * recent evidence is worth more than old evidence the control plane will treat as stale anyway.
   * A key already queued is ignored, so re-queuing after a crash cannot duplicate.
   */
  enqueue(item: Omit<OutboxItem, "seq">): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          "INSERT OR IGNORE INTO outbox (idempotency_key, kind, collected_at, payload) VALUES (?, ?, ?, ?)",
        )
        .run(item.idempotencyKey, item.kind, item.collectedAt, JSON.stringify(item.payload));
      const count = (this.stmt("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
      const excess = count - this.maxOutboxItems;
      if (excess > 0) {
        this.db
          .prepare("DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)")
          .run(excess);
        this.addCounter("outbox.dropped", excess);
      }
    })();
  }

  /** The oldest `limit` queued items. */
  peek(limit: number): OutboxItem[] {
    const rows = this.db
      .prepare("SELECT seq, idempotency_key, kind, collected_at, payload FROM outbox ORDER BY seq LIMIT ?")
      .all(limit) as {
      seq: number;
      idempotency_key: string;
      kind: OutboxItem["kind"];
      collected_at: string;
      payload: string;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      idempotencyKey: r.idempotency_key,
      kind: r.kind,
      collectedAt: r.collected_at,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
  }

  /** Removes delivered items (acknowledged by the control plane). */
  acknowledge(seqs: number[]): void {
    const del = this.stmt("DELETE FROM outbox WHERE seq = ?");
    this.db.transaction(() => {
      for (const seq of seqs) del.run(seq);
    })();
  }

  /**
   * Status reports wait here until the control plane takes them: an outcome (rolled back, and why) reached
   * while the control plane was away must still arrive. Only the newest few are kept: older progress
   * reports say nothing the newest does not.
   */
  queueStatus(body: Record<string, unknown>, keep = 20): void {
    this.db.transaction(() => {
      this.stmt("INSERT INTO status_outbox (body) VALUES (?)").run(JSON.stringify(body));
      this.db
        .prepare(
          "DELETE FROM status_outbox WHERE seq NOT IN (SELECT seq FROM status_outbox ORDER BY seq DESC LIMIT ?)",
        )
        .run(keep);
    })();
  }

  peekStatus(): { seq: number; body: Record<string, unknown> }[] {
    const rows = this.stmt("SELECT seq, body FROM status_outbox ORDER BY seq").all() as {
      seq: number;
      body: string;
    }[];
    return rows.map((r) => ({ seq: r.seq, body: JSON.parse(r.body) as Record<string, unknown> }));
  }

  dropStatus(seq: number): void {
    this.stmt("DELETE FROM status_outbox WHERE seq = ?").run(seq);
  }

  outboxSize(): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
  }

  counter(name: string): number {
    const row = this.stmt("SELECT value FROM counters WHERE name = ?").get(name) as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }

  addCounter(name: string, delta: number): void {
    this.db
      .prepare(
        "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
      )
      .run(name, delta);
  }

  close(): void {
    this.db.close();
  }
}
