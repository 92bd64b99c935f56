/**
 * The rollout scheduler: on every tick it reads what agents reported since its cursor, feeds the engine, and
 * persists the new rows, the outbox commands and the cursor in ONE transaction; only then does it apply the
 * commands (set or clear desired generations, run the gate, start a rollback), each marked applied in the
 * transaction that applies it. A control plane killed at any point restarts with every decision it made
 * (rows + outbox) and none it did not; outbox commands are idempotent and checked against the state before
 * they act, so no host is assigned twice and no batch is skipped.
 *
 * Ticks are incremental: the engine state of active rollouts stays in memory (reloaded only when another
 * writer — an operator action — bumped the rollout's version), reports are read by seq after a cursor, and
 * only changed rows are written. A tick costs O(reports + hosts that changed), not O(fleet).
 */
import type { Logger } from "pino";
import {
  isInFlight,
  isTerminal,
  type RolloutCommand,
  type RolloutEvent,
  type RolloutState,
  step,
} from "../../engine/rollout/index.js";
import { readDesired } from "../agents/queries.js";
import { confirmationsSince, reportsSince, type StoredAgentReport } from "../agents/reports.js";
import type { Db } from "../db/client.js";
import type { Clock } from "../env.js";
import { DomainError } from "../errors.js";
import { runGate } from "../policy/gate.js";
import { startRollout } from "../rollouts/services/startRollout.js";
import {
  emptyWrite,
  type HostTarget,
  isEmptyWrite,
  loadRollout,
  markApplied,
  mergeStep,
  type PendingWrite,
  pendingCommands,
  persistWrite,
  type StoredCommand,
} from "../rollouts/store.js";
import { type ServiceContext, systemContext } from "../services/context.js";
import { setDesiredGeneration } from "../services/setDesiredGeneration.js";

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  /** pause between ticks when running on its own (start()); default 1000 ms */
  intervalMs?: number;
  /** most agent reports consumed per tick; default 20,000 */
  reportsPerTick?: number;
  logger?: Logger;
}

export interface TickStats {
  activeRollouts: number;
  reports: number;
  confirmations: number;
  hostsChanged: number;
  commandsApplied: number;
}

interface CachedRollout {
  state: RolloutState;
  version: number;
  releaseId: string | null;
  rollbackOf: string | null;
  targets: Map<string, HostTarget>;
}

/**
 * The rollout id an agent sees for an assignment. A retry must look new to the agent, which (rightly) does
 * not try again a generation that failed for the same rollout: attempts after the first carry "~<attempt>".
 * Reports and confirmations echo it back, so a late report about an earlier attempt is recognised and ignored.
 */
export function assignmentId(rolloutId: string, attempt: number): string {
  return attempt <= 1 ? rolloutId : `${rolloutId}~${attempt}`;
}

/** The rollout and attempt an agent's rolloutId names (attempt undefined when it carries none). */
export function parseAssignmentId(id: string): { rolloutId: string; attempt: number | undefined } {
  const m = /^(.*)~(\d{1,6})$/.exec(id);
  return m ? { rolloutId: m[1]!, attempt: Number(m[2]) } : { rolloutId: id, attempt: undefined };
}

const REPORT_CURSOR = "agent-reports";
const CONFIRM_CURSOR = "agent-confirmations";
const REPORTED = new Set(["fetching", "applying", "verifying", "confirmed", "failed", "rolled-back"]);
/** states in which an agent is done with whatever it was doing: what it runs now is what it will keep running */
const AT_REST = new Set(["idle", "confirmed", "failed", "rolled-back"]);

export class RolloutScheduler {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly reportsPerTick: number;
  private readonly logger: Logger | undefined;
  private readonly ctx: ServiceContext;
  private readonly cache = new Map<string, CachedRollout>();
  /** machine id → the active rollout holding it (409 rule: at most one) */
  private readonly holder = new Map<string, string>();
  /** terminal rollouts loaded while applying stale commands; kept for one applyCommands call */
  private readonly finished = new Map<string, CachedRollout>();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(options: SchedulerOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? 1000;
    this.reportsPerTick = options.reportsPerTick ?? 20_000;
    this.logger = options.logger;
    this.ctx = systemContext(options.db, options.clock, "scheduler");
  }

  /** Ticks every intervalMs until stop(). A failing tick is logged and retried on the next one. */
  start(): void {
    this.stopping = false;
    const loop = () => {
      if (this.stopping) return;
      try {
        this.tick();
      } catch (err) {
        this.logger?.error({ err }, "scheduler tick failed");
      }
      if (!this.stopping) this.timer = setTimeout(loop, this.intervalMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops ticking; a tick in progress (synchronous) has already finished when this returns. */
  stop(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass: leftovers from a crash, then reports, timeouts and bakes, then the commands they produced. */
  tick(): TickStats {
    const stats: TickStats = {
      activeRollouts: 0,
      reports: 0,
      confirmations: 0,
      hostsChanged: 0,
      commandsApplied: 0,
    };
    stats.commandsApplied += this.applyCommands();
    try {
      this.db.sqlite
        .transaction(() => {
          const now = this.clock.now();
          this.refreshCache();
          stats.activeRollouts = this.cache.size;
          const writes = new Map<string, PendingWrite>();
          const feed = (rolloutId: string, event: RolloutEvent) => {
            const entry = this.cache.get(rolloutId)!;
            const r = step(entry.state, event, now);
            if (r.rejected) return;
            let w = writes.get(rolloutId);
            if (!w) {
              w = emptyWrite(entry.state);
              writes.set(rolloutId, w);
            }
            mergeStep(w, r);
            entry.state = r.state;
          };
          this.consumeReports(feed, stats);
          for (const id of this.cache.keys()) feed(id, { type: "tick" });
          for (const [id, w] of writes) {
            if (isEmptyWrite(w)) continue;
            const entry = this.cache.get(id)!;
            stats.hostsChanged += w.hosts.size;
            entry.version = persistWrite(this.db, w, entry.version, now);
          }
        })
        .immediate();
    } catch (err) {
      // The transaction rolled back: the cached states are ahead of the rows. Reload from the rows next time.
      this.forget();
      throw err;
    }
    stats.commandsApplied += this.applyCommands();
    return stats;
  }

  private forget(): void {
    this.cache.clear();
    this.holder.clear();
    this.finished.clear();
  }

  /** Keeps the cache equal to the active rollouts at their stored versions. */
  private refreshCache(): void {
    const rows = this.db.sqlite
      .prepare("SELECT id, version FROM rollouts WHERE status IN ('pending', 'running', 'paused')")
      .all() as { id: string; version: number }[];
    const active = new Set(rows.map((r) => r.id));
    for (const id of [...this.cache.keys()]) if (!active.has(id)) this.drop(id);
    for (const row of rows) {
      const cached = this.cache.get(row.id);
      if (cached && cached.version === row.version) continue;
      if (cached) this.drop(row.id);
      const loaded = loadRollout(this.db, row.id);
      this.cache.set(row.id, {
        state: loaded.state,
        version: loaded.row.version,
        releaseId: loaded.row.releaseId,
        rollbackOf: loaded.row.rollbackOf,
        targets: loaded.targets,
      });
      for (const machineId of loaded.targets.keys()) this.holder.set(machineId, row.id);
    }
  }

  private drop(id: string): void {
    const cached = this.cache.get(id);
    if (!cached) return;
    for (const machineId of cached.targets.keys())
      if (this.holder.get(machineId) === id) this.holder.delete(machineId);
    this.cache.delete(id);
  }

  private cursor(name: string): number {
    const row = this.db.sqlite.prepare("SELECT position FROM scheduler_cursors WHERE name = ?").get(name) as
      | { position: number }
      | undefined;
    return row?.position ?? 0;
  }

  private setCursor(name: string, position: number): void {
    this.db.sqlite
      .prepare(
        "INSERT INTO scheduler_cursors (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
      )
      .run(name, position);
  }

  /** Turns new agent reports and confirmations into host-report events for the rollouts holding the hosts. */
  private consumeReports(feed: (rolloutId: string, e: RolloutEvent) => void, stats: TickStats): void {
    const relevant = (machineId: string, reportedId: string | null, storePath: string | null, at: number) => {
      const holder = this.holder.get(machineId);
      if (!holder) return undefined;
      const named = reportedId === null ? undefined : parseAssignmentId(reportedId);
      if (named && named.rolloutId !== holder) return undefined;
      const entry = this.cache.get(holder)!;
      const target = entry.targets.get(machineId);
      if (storePath !== null && target && storePath !== target.storePath) return undefined;
      const host = entry.state.hosts.get(machineId);
      // a report older than the assignment, or naming another attempt, speaks about an earlier attempt
      if (!host || !isInFlight(host) || at < host.assignedAt!) return undefined;
      if (named && (named.attempt ?? 1) !== host.attempt) return undefined;
      return holder;
    };
    /**
     * A report about something else (another rollout, or an idle heartbeat) that shows the machine at rest on
     * the target of its in-flight assignment: the agent will not act on it (it is "up to date") and says nothing
     * more, so the assignment is done. This is how a rollback learns that a host which was still verifying the
     * failed rollout's generation rolled itself back (409 on its confirmation) to the generation it assigned.
     */
    const arrivedAtTarget = (r: StoredAgentReport) => {
      if (!AT_REST.has(r.state) || r.currentStorePath === null) return undefined;
      const holder = this.holder.get(r.machineId);
      const entry = holder ? this.cache.get(holder) : undefined;
      const host = entry?.state.hosts.get(r.machineId);
      if (!holder || !host || !isInFlight(host) || Date.parse(r.receivedAt) < host.assignedAt!)
        return undefined;
      return entry!.targets.get(r.machineId)?.storePath === r.currentStorePath ? holder : undefined;
    };
    const after = this.cursor(REPORT_CURSOR);
    const reports = reportsSince(this.db, after, { limit: this.reportsPerTick });
    for (const r of reports) {
      const holder = REPORTED.has(r.state)
        ? relevant(r.machineId, r.rolloutId, r.storePath, Date.parse(r.receivedAt))
        : undefined;
      if (!holder) {
        const arrived = arrivedAtTarget(r);
        if (arrived)
          feed(arrived, {
            type: "host-report",
            host: r.machineId,
            outcome: "confirmed",
            reason: "running the target generation",
          });
        continue;
      }
      const event: RolloutEvent = {
        type: "host-report",
        host: r.machineId,
        outcome: r.state as Extract<RolloutEvent, { type: "host-report" }>["outcome"],
      };
      if (r.inconclusive) event.inconclusive = true;
      if (r.reason !== null) event.reason = r.reason;
      feed(holder, event);
    }
    stats.reports = reports.length;
    if (reports.length > 0) this.setCursor(REPORT_CURSOR, reports[reports.length - 1]!.seq);

    const afterConfirm = this.cursor(CONFIRM_CURSOR);
    const confirmations = confirmationsSince(this.db, afterConfirm);
    for (const c of confirmations) {
      const holder = relevant(c.machineId, c.rolloutId, c.storePath, Date.parse(c.confirmedAt));
      if (holder) feed(holder, { type: "host-report", host: c.machineId, outcome: "confirmed" });
    }
    stats.confirmations = confirmations.length;
    if (confirmations.length > 0)
      this.setCursor(CONFIRM_CURSOR, confirmations[confirmations.length - 1]!.seq);
  }

  /**
   * Applies outbox commands until none is left (a gate decision or a rollback can produce more). Each round
   * is one transaction: its effects and the applied marks commit together or not at all.
   */
  applyCommands(): number {
    let applied = 0;
    this.finished.clear();
    // An operator action may have moved a rollout since the last tick: decide on fresh state, never stale.
    this.refreshCache();
    for (let round = 0; round < 100; round++) {
      const batch = pendingCommands(this.db);
      if (batch.length === 0) break;
      try {
        this.db.sqlite
          .transaction(() => {
            for (const cmd of batch) {
              this.apply(cmd);
              markApplied(this.db, cmd.seq, this.clock.now());
            }
          })
          .immediate();
      } catch (err) {
        this.forget();
        throw err;
      }
      applied += batch.length;
    }
    this.finished.clear();
    return applied;
  }

  private entry(rolloutId: string): CachedRollout {
    let entry = this.cache.get(rolloutId) ?? this.finished.get(rolloutId);
    if (!entry) {
      const loaded = loadRollout(this.db, rolloutId);
      entry = {
        state: loaded.state,
        version: loaded.row.version,
        releaseId: loaded.row.releaseId,
        rollbackOf: loaded.row.rollbackOf,
        targets: loaded.targets,
      };
      if (!isTerminal(loaded.state)) {
        this.cache.set(rolloutId, entry);
        for (const machineId of loaded.targets.keys()) this.holder.set(machineId, rolloutId);
      } else this.finished.set(rolloutId, entry);
    }
    return entry;
  }

  /** Steps and persists one event right away (inside the applying transaction). */
  private stepNow(rolloutId: string, event: RolloutEvent): void {
    const entry = this.entry(rolloutId);
    const now = this.clock.now();
    const r = step(entry.state, event, now);
    if (r.rejected) return;
    entry.version = persistWrite(this.db, mergeStep(emptyWrite(entry.state), r), entry.version, now);
    entry.state = r.state;
  }

  private apply({ rolloutId, command }: StoredCommand): void {
    const entry = this.entry(rolloutId);
    switch (command.type) {
      case "set-desired":
        this.setDesired(rolloutId, entry, command);
        return;
      case "clear-desired": {
        // only if the machine still follows this rollout: never clobber a newer rollout's assignment
        const desired = readDesired(this.db, command.host);
        if (!desired?.rolloutId || parseAssignmentId(desired.rolloutId).rolloutId !== rolloutId) return;
        setDesiredGeneration({
          ctx: this.ctx,
          input: { machineId: command.host, storePath: null, releaseId: null, rolloutId: null },
        });
        return;
      }
      case "evaluate-gate":
        this.evaluateGate(rolloutId, entry, command.batch);
        return;
      case "revert":
        this.revert(rolloutId);
        return;
    }
  }

  private setDesired(
    rolloutId: string,
    entry: CachedRollout,
    command: Extract<RolloutCommand, { type: "set-desired" }>,
  ): void {
    const host = entry.state.hosts.get(command.host);
    // Stale command (the rollout moved on, or this attempt was superseded): applying it would assign twice.
    if (isTerminal(entry.state) || !host || host.attempt !== command.attempt || !isInFlight(host)) return;
    const target = entry.targets.get(command.host)!;
    try {
      setDesiredGeneration({
        ctx: this.ctx,
        input: {
          machineId: command.host,
          storePath: target.storePath,
          releaseId: entry.releaseId,
          rolloutId: assignmentId(rolloutId, command.attempt),
          confirmWindowMs: entry.state.spec.confirmWindowMs,
          healthTimeoutMs: entry.state.spec.healthTimeoutMs,
        },
      });
    } catch (err) {
      // The machine cannot take the assignment (decommissioned, not in the release): that host failed.
      if (!(err instanceof DomainError)) throw err;
      this.stepNow(rolloutId, {
        type: "host-report",
        host: command.host,
        outcome: "failed",
        reason: `could not assign: ${err.message}`,
      });
      return;
    }
    // An agent already running its target has nothing to do and says nothing (it is "up to date"): the
    // machine's last report is the confirmation. This is what lets a rollback finish for hosts that already
    // rolled themselves back.
    // Only an agent at rest: one still fetching or applying another generation (a host of the rollout a revert
    // undoes) reported the path it is about to leave. Its next report at rest settles it (consumeReports).
    const running = this.db.sqlite
      .prepare("SELECT current_store_path AS path, last_state AS state FROM machines WHERE id = ?")
      .get(command.host) as { path: string | null; state: string | null } | undefined;
    if (running?.path === target.storePath && AT_REST.has(running.state ?? "idle"))
      this.stepNow(rolloutId, {
        type: "host-report",
        host: command.host,
        outcome: "confirmed",
        reason: "already running the target generation",
      });
  }

  private evaluateGate(rolloutId: string, entry: CachedRollout, batch: number): void {
    const s = entry.state;
    const b = s.batches[batch];
    if (s.status !== "running" || s.current !== batch || !b || b.phase !== "gating") return;
    const updated: string[] = [];
    for (let i = 0; i < batch; i++)
      s.batches[i]!.seq.forEach((id, position) => {
        const h = id ? s.hosts.get(id) : undefined;
        if (h && h.seq === position && h.outcome === "confirmed") updated.push(id);
      });
    const gate = runGate(this.ctx, {
      rolloutId,
      releaseId: entry.releaseId,
      evalHosts: b.seq.filter((id) => id !== ""),
      runtimeHosts: updated,
      phase: "pre-batch",
      batch,
      rollback: entry.rollbackOf !== null,
    });
    this.stepNow(rolloutId, {
      type: "gate-decided",
      batch,
      gate: { allow: gate.allow, decisionId: gate.decisionId! },
    });
  }

  private revert(rolloutId: string): void {
    const row = this.db.sqlite
      .prepare("SELECT revert_rollout_id AS id FROM rollouts WHERE id = ?")
      .get(rolloutId) as { id: string | null } | undefined;
    if (row?.id) return; // already started: the outbox may replay this command after a crash
    try {
      startRollout({ ctx: this.ctx, input: { rollbackOf: rolloutId } });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.db.sqlite
        .prepare(
          "INSERT INTO rollout_events (rollout_id, at, kind, message) VALUES (?, ?, 'rollout.revert-failed', ?)",
        )
        .run(rolloutId, this.clock.now(), `no rollback started: ${err.message}`);
    }
  }
}
