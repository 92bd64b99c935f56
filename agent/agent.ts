/**
 * The agent: polls the control plane, drives the state machine through fetch → apply → verify → confirm or
 * roll back, streams runtime evidence through the durable outbox, and recovers from crashes on start.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { canonicalHash } from "../evidence/canonical.js";
import type { AgentStatusReport } from "../schemas/generated/agent-status-report.js";
import type { DesiredGeneration } from "../schemas/generated/desired-generation.js";
import type { EvidenceBatch } from "../schemas/generated/evidence-batch.js";
import type { HealthCheck } from "../schemas/generated/health-check.js";
import type { HealthCheckResult } from "../schemas/generated/health-check-result.js";
import type { RuntimeReport } from "../schemas/generated/runtime-report.js";
import { ControlPlaneRejected } from "./client.js";
import { collectRuntimeReport } from "./collectors/index.js";
import type { ResolvedAgentConfig } from "./config.js";
import type { SystemDriver } from "./drivers/types.js";
import { healthVerdict, runHealthChecks } from "./health/runner.js";
import { type AgentEvent, AgentState, type HostOutcome, recoveryEvent, transition } from "./state-machine.js";
import type { AgentStore, LastOutcome, OutboxItem, PendingGeneration } from "./store.js";

export const AGENT_VERSION = "0.1.0";

/** The part of the control-plane client the agent uses (tests and the real client share it). */
export interface ControlPlane {
  desired(signal?: AbortSignal): Promise<DesiredGeneration>;
  report(status: AgentStatusReport, signal?: AbortSignal): Promise<void>;
  confirm(
    body: {
      machineId: string;
      rolloutId: string | null;
      storePath: string;
      healthChecks: HealthCheckResult[];
    },
    signal?: AbortSignal,
  ): Promise<boolean>;
  sendEvidence(batch: EvidenceBatch, signal?: AbortSignal): Promise<void>;
}

export interface AgentLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AgentDeps {
  config: ResolvedAgentConfig;
  driver: SystemDriver;
  controlPlane: ControlPlane;
  store: AgentStore;
  log: AgentLog;
  /** environment for child processes (nix, systemctl, checks) */
  env: NodeJS.ProcessEnv;
  dryRun: boolean;
  /** [0,1) source for jitter; injectable so tests are deterministic */
  random?: () => number;
}

/** How one poll cycle ended; --once turns failures into exit 1. */
export type CycleOutcome =
  | { kind: "up-to-date"; storePath: string | null }
  | { kind: "unreachable"; reason: string }
  | { kind: "confirmed"; storePath: string }
  | { kind: "dry-run"; storePath: string; reason: string }
  | { kind: "failed"; storePath: string; reason: string }
  | { kind: "rolled-back"; storePath: string; reason: string };

export class Agent {
  private state: AgentState;
  private pending: PendingGeneration | null;
  private lastOutcome: LastOutcome | null;
  private readonly stopController = new AbortController();
  /** fired only when the shutdown deadline passes: it interrupts even a rollback (resumed on next start) */
  private readonly abortController = new AbortController();
  private nextPollMs: number;
  private failuresInARow = 0;
  private lastRuntimeReportAt = 0;
  private readonly random: () => number;
  /** every state the agent went through since start, for tests and the debug log */
  readonly history: AgentState[] = [];

  constructor(private readonly deps: AgentDeps) {
    const persisted = deps.store.load();
    this.state = persisted.state;
    this.pending = persisted.pending;
    this.lastOutcome = persisted.lastOutcome;
    this.nextPollMs = deps.config.pollIntervalMs;
    this.random = deps.random ?? Math.random;
    this.history.push(this.state);
  }

  get currentState(): AgentState {
    return this.state;
  }

  /** The abort signal fired by stop(): long waits and requests end early on it. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  private fire(event: AgentEvent): void {
    const next = transition(this.state, event);
    this.deps.log.debug({ from: this.state, event, to: next }, "transition");
    const from = this.state;
    this.state = next;
    this.history.push(next);
    // Persist before acting in the new state: a crash from here on is recovered from this row. Only the
    // states a restart must undo (and leaving them) need the fsync; Idle ↔ Checking happens on every poll.
    const durable =
      recoveryEvent(from) !== null || recoveryEvent(next) !== null || next === AgentState.Reporting;
    this.deps.store.save(this.state, this.pending, this.lastOutcome, durable);
  }

  /** Call once at start: an unconfirmed generation left by a crash is rolled back. */
  async recover(): Promise<CycleOutcome | null> {
    const event = recoveryEvent(this.state);
    if (!event) {
      if (this.state !== AgentState.Idle) {
        // Checking/Fetching/Reporting: nothing was switched; start over from Idle.
        this.deps.log.info({ state: this.state }, "restart: resuming from Idle");
        this.state = AgentState.Idle;
        this.deps.store.save(this.state, null, this.lastOutcome);
      }
      return null;
    }
    const pending = this.pending;
    const interrupted = this.state;
    this.fire(event);
    if (!pending) {
      this.fire("rollback-failed");
      await this.report({
        state: "failed",
        reason: `restart in ${interrupted} without a recorded generation`,
      });
      this.fire("reported");
      return null;
    }
    const reason = `agent restarted while ${interrupted} ${pending.storePath}: the generation was never confirmed`;
    this.deps.log.warn({ storePath: pending.storePath, state: interrupted }, reason);
    return await this.rollBack(pending, reason);
  }

  private healthChecksFor(desired: DesiredGeneration): HealthCheck[] {
    const byName = new Map<string, HealthCheck>();
    for (const check of [...this.deps.config.healthChecks, ...(desired.healthChecks ?? [])])
      byName.set(check.name, check);
    return [...byName.values()];
  }

  /** One poll cycle: Idle → Checking → (Fetching → Applying → Verifying → (RollingBack) → Reporting) → Idle. */
  async cycle(): Promise<CycleOutcome> {
    this.fire("poll");
    let desired: DesiredGeneration;
    try {
      desired = await this.deps.controlPlane.desired(this.stopSignal);
    } catch (err) {
      this.fire("check-failed");
      this.failuresInARow++;
      const reason = err instanceof Error ? err.message : String(err);
      // A request cut short by stop() is not an outage worth a warning.
      if (!this.stopSignal.aborted) this.deps.log.warn({ err: reason }, "cannot reach the control plane");
      return { kind: "unreachable", reason };
    }
    this.failuresInARow = 0;
    this.nextPollMs = desired.pollAfterMs > 0 ? desired.pollAfterMs : this.deps.config.pollIntervalMs;
    const target = desired.storePath ?? null;
    const running = this.deps.driver.currentSystem();
    const sameAsFailed =
      this.lastOutcome !== null &&
      this.lastOutcome.outcome !== "confirmed" &&
      this.lastOutcome.storePath === target &&
      this.lastOutcome.rolloutId === (desired.rolloutId ?? null);
    if (
      target === null ||
      (target === running && this.deps.driver.profileStorePath() === target) ||
      sameAsFailed
    ) {
      // A generation that failed here is not retried for the same rollout: the control plane must decide.
      this.fire("up-to-date");
      return { kind: "up-to-date", storePath: running };
    }
    this.fire("new-generation");
    return await this.apply(desired, target);
  }

  private async apply(desired: DesiredGeneration, storePath: string): Promise<CycleOutcome> {
    const { driver, config, log } = this.deps;
    const rolloutId = desired.rolloutId ?? null;
    await this.report({ state: "fetching", storePath, rolloutId }, { queueOnFailure: false });
    const fetched = await driver.ensurePresent(
      storePath,
      desired.cacheUrl ?? config.cacheUrl,
      this.stopSignal,
    );
    if (!fetched.ok) {
      this.fire("fetch-failed");
      return await this.finish({ kind: "failed", storePath, reason: fetched.reason }, rolloutId);
    }
    log.info({ storePath, detail: fetched.detail }, "store path present");
    if (this.deps.dryRun) {
      this.fire("dry-run-done");
      return await this.finish(
        { kind: "dry-run", storePath, reason: `dry run: ${fetched.detail}; not switching` },
        rolloutId,
      );
    }
    this.pending = {
      storePath,
      rolloutId,
      releaseId: desired.releaseId ?? null,
      previousStorePath: driver.profileStorePath() ?? driver.currentSystem(),
      switchedAt: null,
      confirmDeadline: null,
    };
    this.fire("fetched"); // → Applying, with the pending generation on disk before anything changes
    await this.report({ state: "applying", storePath, rolloutId }, { queueOnFailure: false });
    const switched = await driver.switchTo(storePath, this.stopSignal);
    if (!switched.ok && !switched.changedProfile && switched.refused) {
      this.fire("switch-refused");
      this.pending = null;
      return await this.finish({ kind: "failed", storePath, reason: switched.reason }, rolloutId);
    }
    if (!switched.ok) {
      this.fire("activation-failed");
      return await this.rollBack(this.pending, switched.reason);
    }
    log.info({ storePath, detail: switched.detail }, "switched");
    const switchedAt = new Date();
    const windowMs = desired.confirmWindowMs ?? config.confirmWindowMs;
    this.pending = {
      ...this.pending,
      switchedAt: switchedAt.toISOString(),
      confirmDeadline: new Date(switchedAt.getTime() + windowMs).toISOString(),
    };
    this.fire("activated"); // → Verifying
    return await this.verify(desired, this.pending);
  }

  private async verify(desired: DesiredGeneration, pending: PendingGeneration): Promise<CycleOutcome> {
    const { config, controlPlane, log } = this.deps;
    const deadline = Date.parse(pending.confirmDeadline ?? new Date().toISOString());
    await this.report(
      { state: "verifying", storePath: pending.storePath, rolloutId: pending.rolloutId },
      { queueOnFailure: false },
    );
    const checks = this.healthChecksFor(desired);
    const healthBudget = Math.max(
      1,
      Math.min(desired.healthTimeoutMs ?? config.healthTimeoutMs, deadline - Date.now()),
    );
    const results = await runHealthChecks(checks, {
      env: this.deps.env,
      overallTimeoutMs: healthBudget,
      signal: this.stopSignal,
    });
    this.queueHealthEvidence(results, pending);
    const verdict = healthVerdict(results);
    if (verdict === "failed" || (verdict === "inconclusive" && config.onInconclusive === "rollback")) {
      const bad = results.filter((r) => r.status !== "pass");
      const reason = `health checks ${verdict}: ${bad.map((r) => `${r.name} ${r.status}: ${r.message ?? ""}`).join("; ")}`;
      this.fire("health-failed");
      return await this.rollBack(pending, reason, results, verdict === "inconclusive");
    }
    // The control plane judges an updated host on its latest runtime report as soon as it accepts the
    // confirmation (the gate before the next batch): deliver the report of the new generation first, or the
    // gate may judge the report of the generation before the switch (drift against the release it rolls out).
    await this.queueRuntimeReport(results);
    await this.flush();
    // Confirm, retrying with back-off until the deadline: a control plane that is away must not leave us
    // on an unconfirmed generation.
    let attempt = 0;
    while (Date.now() < deadline && !this.stopSignal.aborted) {
      try {
        const accepted = await controlPlane.confirm(
          {
            machineId: config.machineId,
            rolloutId: pending.rolloutId,
            storePath: pending.storePath,
            healthChecks: results,
          },
          this.stopSignal,
        );
        if (!accepted) {
          this.fire("confirm-rejected");
          return await this.rollBack(
            pending,
            "the control plane no longer wants this generation (409 on confirm)",
            results,
          );
        }
        this.lastOutcome = {
          storePath: pending.storePath,
          rolloutId: pending.rolloutId,
          outcome: "confirmed",
          reason: "health checks passed and the control plane accepted the confirmation",
          at: new Date().toISOString(),
        };
        this.pending = null;
        this.fire("confirmed");
        log.info({ storePath: pending.storePath }, "generation confirmed");
        return await this.finish(
          { kind: "confirmed", storePath: pending.storePath },
          pending.rolloutId,
          results,
        );
      } catch (err) {
        if (err instanceof ControlPlaneRejected) {
          this.fire("confirm-rejected");
          return await this.rollBack(pending, `confirmation refused: ${err.message}`, results);
        }
        attempt++;
        const wait = Math.min(this.backoffMs(attempt), Math.max(0, deadline - Date.now()));
        log.warn(
          { err: (err as Error).message, retryInMs: wait },
          "confirmation failed; retrying until the deadline",
        );
        await this.pause(wait);
      }
    }
    if (this.stopSignal.aborted) {
      // Stopping: stay in Verifying on disk, so the next start rolls back (it cannot know the outcome).
      return { kind: "failed", storePath: pending.storePath, reason: "agent stopped before confirmation" };
    }
    this.fire("confirm-deadline-passed");
    return await this.rollBack(
      pending,
      `no accepted confirmation before the confirm deadline ${pending.confirmDeadline}`,
      results,
    );
  }

  private async rollBack(
    pending: PendingGeneration,
    reason: string,
    results: HealthCheckResult[] = [],
    inconclusive = false,
  ): Promise<CycleOutcome> {
    const { driver, log } = this.deps;
    if (!pending.previousStorePath) {
      this.fire("rollback-failed");
      const why = `${reason}; cannot roll back: the profile had no previous generation`;
      this.lastOutcome = {
        storePath: pending.storePath,
        rolloutId: pending.rolloutId,
        outcome: "failed",
        reason: why,
        at: new Date().toISOString(),
      };
      this.pending = null;
      return await this.finish(
        { kind: "failed", storePath: pending.storePath, reason: why },
        pending.rolloutId,
        results,
        inconclusive,
      );
    }
    log.warn({ from: pending.storePath, to: pending.previousStorePath, reason }, "rolling back");
    // Rollback must complete even when we are asked to stop: it is what keeps the machine safe.
    const outcome = await driver.rollbackTo(pending.previousStorePath, this.abortController.signal);
    const at = new Date().toISOString();
    if (!outcome.ok) {
      const why = `${reason}; rollback failed: ${outcome.reason}`;
      this.lastOutcome = {
        storePath: pending.storePath,
        rolloutId: pending.rolloutId,
        outcome: "failed",
        reason: why,
        at,
      };
      this.pending = null;
      this.fire("rollback-failed");
      return await this.finish(
        { kind: "failed", storePath: pending.storePath, reason: why },
        pending.rolloutId,
        results,
        inconclusive,
      );
    }
    this.lastOutcome = {
      storePath: pending.storePath,
      rolloutId: pending.rolloutId,
      outcome: "rolled-back",
      reason,
      at,
    };
    this.pending = null;
    this.fire("rolled-back");
    return await this.finish(
      { kind: "rolled-back", storePath: pending.storePath, reason },
      pending.rolloutId,
      results,
      inconclusive,
    );
  }

  /** The Reporting state: record the outcome, queue a runtime report, send what we can, back to Idle. */
  private async finish(
    outcome: CycleOutcome,
    rolloutId: string | null,
    results: HealthCheckResult[] = [],
    inconclusive = false,
  ): Promise<CycleOutcome> {
    const hostOutcome: HostOutcome =
      outcome.kind === "confirmed"
        ? "confirmed"
        : outcome.kind === "rolled-back"
          ? "rolled-back"
          : outcome.kind === "dry-run"
            ? "idle"
            : "failed";
    if (outcome.kind === "failed" && this.lastOutcome?.storePath !== outcome.storePath)
      this.lastOutcome = {
        storePath: outcome.storePath,
        rolloutId,
        outcome: "failed",
        reason: outcome.reason,
        at: new Date().toISOString(),
      };
    this.deps.store.save(this.state, this.pending, this.lastOutcome);
    await this.report({
      state: hostOutcome,
      storePath: "storePath" in outcome && outcome.storePath ? outcome.storePath : undefined,
      rolloutId,
      reason: "reason" in outcome ? outcome.reason : undefined,
      healthChecks: results,
      inconclusive,
    });
    // a confirmed generation's runtime report was queued before its confirmation (see verify)
    if (outcome.kind !== "confirmed") await this.queueRuntimeReport(results);
    await this.flush();
    this.fire("reported");
    return outcome;
  }

  /** Sends (or queues) a status report. Progress reports are best effort; outcomes are queued durably. */
  private async report(
    fields: {
      state: AgentStatusReport["state"];
      storePath?: string | undefined;
      rolloutId?: string | null;
      reason?: string | undefined;
      healthChecks?: HealthCheckResult[];
      inconclusive?: boolean;
    },
    options: { queueOnFailure: boolean } = { queueOnFailure: true },
  ): Promise<void> {
    const { config } = this.deps;
    const status: AgentStatusReport = {
      machineId: config.machineId,
      state: fields.state,
      agentState: this.state,
      reportedAt: new Date().toISOString(),
      agentVersion: AGENT_VERSION,
    };
    if (fields.storePath) status.storePath = fields.storePath;
    if (fields.rolloutId) status.rolloutId = fields.rolloutId;
    if (fields.reason) status.reason = fields.reason.slice(0, 4096);
    if (fields.healthChecks && fields.healthChecks.length > 0)
      status.healthChecks = fields.healthChecks.slice(0, 256);
    if (fields.inconclusive) status.inconclusive = true;
    const current = this.deps.driver.currentSystem();
    if (current) status.currentStorePath = current;
    // Always sent, even empty: the control plane makes the machine's agent-declared tags exactly this list, so
    // dropping a tag from the configuration removes it from the inventory (docs/adr/0820).
    status.tags = config.tags;
    if (options.queueOnFailure) {
      this.deps.store.queueStatus(status as unknown as Record<string, unknown>);
      await this.flushStatus();
      return;
    }
    try {
      await this.deps.controlPlane.report(status, this.stopSignal);
    } catch (err) {
      this.deps.log.debug({ err: (err as Error).message }, "progress report not delivered");
    }
  }

  private idempotencyKey(kind: OutboxItem["kind"], payload: object): string {
    return `${kind}:${canonicalHash({ machineId: this.deps.config.machineId, payload })}`;
  }

  private queueHealthEvidence(results: HealthCheckResult[], pending: PendingGeneration): void {
    for (const result of results) {
      this.deps.store.enqueue({
        idempotencyKey: this.idempotencyKey("health-check", { ...result, storePath: pending.storePath }),
        kind: "health-check",
        collectedAt: result.finishedAt,
        payload: { ...result },
      });
    }
  }

  /** Collects a runtime report and queues it in the outbox. */
  async queueRuntimeReport(healthChecks: HealthCheckResult[] = []): Promise<RuntimeReport> {
    const report = await collectRuntimeReport(this.deps.config, this.deps.driver, this.deps.env, new Date());
    if (healthChecks.length > 0) report.healthChecks = healthChecks;
    this.deps.store.enqueue({
      idempotencyKey: this.idempotencyKey("runtime-report", report),
      kind: "runtime-report",
      collectedAt: report.collectedAt,
      payload: report as unknown as Record<string, unknown>,
    });
    this.lastRuntimeReportAt = Date.now();
    return report;
  }

  private async flushStatus(): Promise<boolean> {
    for (const { seq, body } of this.deps.store.peekStatus()) {
      try {
        await this.deps.controlPlane.report(body as unknown as AgentStatusReport, this.stopSignal);
        this.deps.store.dropStatus(seq);
      } catch (err) {
        if (err instanceof ControlPlaneRejected && err.bodyRefused) {
          // The control plane will never take this body; keeping it would block every later report.
          this.deps.log.error({ err: err.message }, "status report rejected; dropped");
          this.deps.store.dropStatus(seq);
          continue;
        }
        return false;
      }
    }
    return true;
  }

  /** Delivers queued status reports and evidence batches; stops at the first outage and keeps the rest. */
  async flush(): Promise<{ delivered: number; remaining: number }> {
    const { store, controlPlane, config } = this.deps;
    let delivered = 0;
    if (!(await this.flushStatus())) return { delivered, remaining: store.outboxSize() };
    for (;;) {
      const items = store.peek(config.outbox.batchSize);
      if (items.length === 0) break;
      const batch: EvidenceBatch = {
        machineId: config.machineId,
        items: items.map(({ idempotencyKey, kind, collectedAt, payload }) => ({
          idempotencyKey,
          kind,
          collectedAt,
          payload,
        })) as EvidenceBatch["items"],
      };
      const dropped = store.counter("outbox.dropped");
      if (dropped > 0) batch.outboxDropped = dropped;
      try {
        await controlPlane.sendEvidence(batch, this.stopSignal);
      } catch (err) {
        // Away, or refusing us (401/403/404: credentials or registration) — keep everything and retry later.
        if (!(err instanceof ControlPlaneRejected && err.bodyRefused)) {
          this.deps.log.info(
            { queued: store.outboxSize(), err: (err as Error).message },
            "evidence not delivered; it stays queued",
          );
          break;
        }
        // A batch the control plane rejects as invalid would block the queue forever: drop and count it.
        this.deps.log.error({ err: err.message, items: items.length }, "evidence batch rejected; dropped");
        store.addCounter("outbox.rejected", items.length);
      }
      store.acknowledge(items.map((i) => i.seq));
      delivered += items.length;
    }
    return { delivered, remaining: store.outboxSize() };
  }

  private backoffMs(attempt: number): number {
    const { backoffInitialMs, backoffMaxMs } = this.deps.config;
    return this.jittered(Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.max(0, attempt - 1)));
  }

  private jittered(ms: number): number {
    const j = this.deps.config.jitter;
    return Math.max(0, Math.round(ms * (1 + (this.random() * 2 - 1) * j)));
  }

  /** The wait before the next poll: the control plane's hint, or back-off after failures, with jitter. */
  nextWaitMs(): number {
    if (this.failuresInARow > 0) return this.backoffMs(this.failuresInARow);
    return this.jittered(this.nextPollMs);
  }

  private async pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopSignal.aborted) return;
    try {
      await sleep(ms, undefined, { signal: this.stopSignal });
    } catch {
      // stop() interrupted the wait
    }
  }

  /** Runs until stop(): recover, then poll, apply, report and stream evidence. */
  async run(): Promise<void> {
    await this.recover();
    while (!this.stopSignal.aborted) {
      const outcome = await this.cycle();
      if (Date.now() - this.lastRuntimeReportAt >= this.deps.config.reportIntervalMs) {
        await this.queueRuntimeReport();
        // A heartbeat with what runs now, so the control plane sees an idle machine is alive and where it is.
        if (outcome.kind === "up-to-date") await this.report({ state: "idle" }, { queueOnFailure: false });
      }
      if (!this.stopSignal.aborted) await this.flush();
      await this.pause(this.nextWaitMs());
    }
  }

  /** --once: recover, one cycle, one runtime report, flush. */
  async runOnce(): Promise<CycleOutcome> {
    const recovered = await this.recover();
    const outcome = await this.cycle();
    if (outcome.kind === "up-to-date" || outcome.kind === "unreachable") await this.queueRuntimeReport();
    await this.flush();
    // A rollback done during recovery is the outcome worth reporting when the cycle had nothing to do.
    if (recovered && (outcome.kind === "up-to-date" || outcome.kind === "unreachable")) return recovered;
    return outcome;
  }

  /** Asks the loop to stop: waits, requests and activation end; a rollback in progress still completes. */
  stop(): void {
    this.stopController.abort();
  }

  /** The shutdown deadline passed: interrupt everything. The persisted state makes the next start finish the job. */
  abort(): void {
    this.stopController.abort();
    this.abortController.abort();
  }
}
