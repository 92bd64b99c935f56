/**
 * The rollout state machine: step(state, event, now) → { state, commands }. Pure: no I/O, time is an
 * argument, the input state is never modified. The scheduler persists the new state and the commands before
 * applying any command, so a crash between steps loses nothing and repeats nothing.
 */

import type { RolloutSpec } from "../../schemas/generated/rollout-spec.js";
import { toleratedFailures } from "./amounts.js";
import { HostBook } from "./host-book.js";
import { type Batch, type NormalizedSpec, normalizeSpec } from "./planner.js";
import {
  type BatchState,
  FAILED_OUTCOMES,
  FINAL_OUTCOMES,
  type HostState,
  type PauseReason,
  type RolloutCommand,
  type RolloutEvent,
  type RolloutEventRecord,
  type RolloutState,
  type StepResult,
  TERMINAL_STATUSES,
} from "./types.js";

/** A fresh pending rollout over planned batches. */
export function createRolloutState(id: string, spec: RolloutSpec, batches: readonly Batch[]): RolloutState {
  const normalized = normalizeSpec(spec);
  const hosts: HostState[] = [];
  for (const b of batches) {
    let seq = 0;
    for (const host of b.hosts) {
      hosts.push({
        host,
        batch: b.index,
        outcome: "pending",
        attempt: 0,
        seq: seq++,
        assignedAt: null,
        lastReportAt: null,
        inconclusive: false,
        reason: null,
      });
    }
  }
  return {
    id,
    status: "pending",
    spec: normalized,
    batches: batches.map((b) => ({
      index: b.index,
      amount: b.amount,
      size: b.hosts.length,
      seq: b.hosts,
      next: 0,
      timeoutCursor: 0,
      phase: "pending",
      accepted: false,
      inFlight: 0,
      confirmed: 0,
      failed: 0,
      inconclusive: 0,
      gateDecisionId: null,
      startedAt: null,
      bakeUntil: null,
      finishedAt: null,
    })),
    hosts: HostBook.of(hosts),
    current: 0,
    pauseReason: null,
    failureReason: null,
    failedTotal: 0,
    targetsTotal: hosts.length,
    startedAt: null,
    finishedAt: null,
    revertRequested: false,
  };
}

export function isTerminal(state: Pick<RolloutState, "status">): boolean {
  return TERMINAL_STATUSES.includes(state.status);
}

/** A host has nothing more to say for its current attempt. */
export function isSettled(h: HostState): boolean {
  return h.inconclusive || FINAL_OUTCOMES.includes(h.outcome);
}

/** Assigned and not settled (a host queued again by a retry has no assignment until it is reassigned). */
export function isInFlight(h: HostState): boolean {
  return h.assignedAt !== null && !isSettled(h);
}

/** The most hosts of a batch that may be in flight at once. */
export function inFlightLimit(spec: NormalizedSpec, batch: Pick<BatchState, "size">): number {
  return Math.min(batch.size, spec.maxInFlight ?? batch.size);
}

/** Time after assignment by which a host must have reached a final outcome. */
export function hostTimeoutMs(spec: NormalizedSpec): number {
  return spec.healthTimeoutMs + spec.confirmWindowMs;
}

/** Copy-on-write view of a state during one step; collects commands and what changed. */
class Draft {
  status: RolloutState["status"];
  current: number;
  pauseReason: RolloutState["pauseReason"];
  failureReason: RolloutState["failureReason"];
  failedTotal: number;
  startedAt: number | null;
  finishedAt: number | null;
  revertRequested: boolean;
  readonly commands: RolloutCommand[] = [];
  private readonly hostChanges = new Map<string, HostState>();
  private readonly batchChanges = new Map<number, BatchState>();

  constructor(
    readonly base: RolloutState,
    readonly now: number,
  ) {
    this.status = base.status;
    this.current = base.current;
    this.pauseReason = base.pauseReason;
    this.failureReason = base.failureReason;
    this.failedTotal = base.failedTotal;
    this.startedAt = base.startedAt;
    this.finishedAt = base.finishedAt;
    this.revertRequested = base.revertRequested;
  }

  get spec(): NormalizedSpec {
    return this.base.spec;
  }

  host(id: string): HostState | undefined {
    return this.hostChanges.get(id) ?? this.base.hosts.get(id);
  }

  /** A mutable copy of a host's state, owned by this draft. */
  editHost(id: string): HostState {
    let h = this.hostChanges.get(id);
    if (!h) {
      const base = this.base.hosts.get(id);
      if (!base) throw new Error(`host ${id} is not in rollout ${this.base.id}`);
      h = { ...base };
      this.hostChanges.set(id, h);
    }
    return h;
  }

  batch(index: number): BatchState {
    return this.batchChanges.get(index) ?? this.base.batches[index]!;
  }

  /** A mutable copy of a batch's state, owned by this draft. */
  editBatch(index: number): BatchState {
    let b = this.batchChanges.get(index);
    if (!b) {
      b = { ...this.base.batches[index]! };
      this.batchChanges.set(index, b);
    }
    return b;
  }

  record(event: RolloutEventRecord): void {
    this.commands.push({ type: "record-event", event });
  }

  finish(): StepResult {
    const b = this.base;
    const rolloutChanged =
      this.status !== b.status ||
      this.current !== b.current ||
      this.pauseReason !== b.pauseReason ||
      this.failureReason !== b.failureReason ||
      this.failedTotal !== b.failedTotal ||
      this.startedAt !== b.startedAt ||
      this.finishedAt !== b.finishedAt ||
      this.revertRequested !== b.revertRequested;
    if (!rolloutChanged && this.hostChanges.size === 0 && this.batchChanges.size === 0)
      return { state: b, commands: this.commands, touched: { rollout: false, batches: [], hosts: [] } };
    let batches = b.batches;
    if (this.batchChanges.size > 0) {
      const copy = b.batches.slice();
      for (const [i, batch] of this.batchChanges) copy[i] = batch;
      batches = copy;
    }
    return {
      state: {
        ...b,
        status: this.status,
        current: this.current,
        pauseReason: this.pauseReason,
        failureReason: this.failureReason,
        failedTotal: this.failedTotal,
        startedAt: this.startedAt,
        finishedAt: this.finishedAt,
        revertRequested: this.revertRequested,
        batches,
        hosts: b.hosts.with(this.hostChanges.values()),
      },
      commands: this.commands,
      touched: {
        rollout: rolloutChanged,
        batches: [...this.batchChanges.keys()].sort((x, y) => x - y),
        hosts: [...this.hostChanges.keys()],
      },
    };
  }
}

function rejected(state: RolloutState, why: string): StepResult {
  return { state, commands: [], touched: { rollout: false, batches: [], hosts: [] }, rejected: why };
}

/** Applies one event at time `now`. Never mutates `state`; a terminal state is never left. */
export function step(state: RolloutState, event: RolloutEvent, now: number): StepResult {
  if (isTerminal(state) && event.type !== "host-report" && event.type !== "tick")
    return rejected(state, `rollout is ${state.status}`);
  const d = new Draft(state, now);
  switch (event.type) {
    case "start": {
      if (state.status !== "pending") return rejected(state, `rollout is ${state.status}, not pending`);
      d.status = "running";
      d.startedAt = now;
      d.record({ kind: "rollout.started", message: `started by ${event.actor}` });
      openBatch(d, 0, event.gate);
      break;
    }
    case "gate-decided": {
      const b = d.batch(d.current);
      if (d.status !== "running" || event.batch !== d.current || b.phase !== "gating")
        return rejected(state, `batch ${event.batch} is not waiting for a gate decision`);
      applyGate(d, event.gate);
      break;
    }
    case "host-report":
      if (!hostReport(d, event)) return rejected(state, `host ${event.host} has no assignment in flight`);
      break;
    case "tick":
      if (d.status === "pending") return d.finish();
      timeOutHosts(d);
      break;
    case "pause":
      if (d.status !== "running") return rejected(state, `rollout is ${d.status}, not running`);
      pause(d, "operator", `paused by ${event.actor}`);
      break;
    case "resume":
      if (d.status !== "paused") return rejected(state, `rollout is ${d.status}, not paused`);
      resume(d, `resumed by ${event.actor}`);
      break;
    case "promote": {
      const baking = d.batch(d.current).phase === "baking";
      if (d.status === "running" && !baking)
        return rejected(state, "nothing to promote: the current batch is neither baking nor paused");
      if (d.status !== "running" && d.status !== "paused")
        return rejected(state, `rollout is ${d.status}, not running or paused`);
      if (d.status === "paused") resume(d, `promoted by ${event.actor}`);
      if (d.batch(d.current).phase === "baking") {
        d.editBatch(d.current).bakeUntil = now;
        d.record({ kind: "rollout.promoted", batch: d.current, message: `bake skipped by ${event.actor}` });
      }
      break;
    }
    case "abort":
      abort(d, event.actor, event.revert);
      return d.finish();
    case "retry":
      if (d.status !== "running" && d.status !== "paused")
        return rejected(state, `rollout is ${d.status}, not running or paused`);
      if (!retry(d, event.actor))
        return rejected(state, "no failed or inconclusive host in the current batch");
      break;
  }
  advance(d);
  return d.finish();
}

/** Starts batch `index`: with a verdict already in hand apply it, otherwise ask the scheduler for one. */
function openBatch(d: Draft, index: number, gate?: { allow: boolean; decisionId: string }): void {
  d.current = index;
  const b = d.editBatch(index);
  b.phase = "gating";
  if (gate) applyGate(d, gate);
  else {
    d.record({
      kind: "batch.gating",
      batch: index,
      message: `evaluating the gate before batch ${index + 1}`,
    });
    d.commands.push({ type: "evaluate-gate", batch: index });
  }
}

function applyGate(d: Draft, gate: { allow: boolean; decisionId: string }): void {
  const b = d.editBatch(d.current);
  b.gateDecisionId = gate.decisionId;
  if (gate.allow) {
    b.phase = "deploying";
    b.startedAt ??= d.now;
    d.record({ kind: "batch.started", batch: b.index, message: `batch ${b.index + 1}: ${b.size} host(s)` });
  } else {
    b.phase = "blocked";
    d.record({
      kind: "batch.blocked",
      batch: b.index,
      message: `gate ${gate.decisionId} blocked batch ${b.index + 1}`,
    });
    pause(d, "gate-blocked", "the governance gate blocked the next batch");
  }
}

function pause(d: Draft, reason: PauseReason, message: string): void {
  d.status = "paused";
  d.pauseReason = reason;
  d.record({ kind: "rollout.paused", batch: d.current, message });
}

function resume(d: Draft, message: string): void {
  const b = d.editBatch(d.current);
  const reason = d.pauseReason;
  d.status = "running";
  d.pauseReason = null;
  d.record({ kind: "rollout.resumed", batch: d.current, message });
  if (reason === "gate-blocked" || b.phase === "blocked") {
    // Resuming never skips the gate: it is asked again, and may block again.
    b.phase = "gating";
    d.record({
      kind: "batch.gating",
      batch: b.index,
      message: `re-evaluating the gate before batch ${b.index + 1}`,
    });
    d.commands.push({ type: "evaluate-gate", batch: b.index });
  } else if (b.phase === "failed" || b.phase === "inconclusive") {
    // The human looked at the failures or the inconclusive checks and accepted the batch.
    b.accepted = true;
    b.phase = "deploying";
  }
}

function fail(d: Draft, reason: "batch-failed" | "error-budget", message: string): void {
  d.status = "failed";
  d.failureReason = reason;
  d.pauseReason = null;
  d.finishedAt = d.now;
  d.record({ kind: "rollout.failed", batch: d.current, message });
  if (d.spec.onFailure === "revert") requestRevert(d);
}

/** Every host that was ever assigned: those are the ones a rollback must bring back. */
function assignedHosts(d: Draft): string[] {
  const hosts: string[] = [];
  for (let i = 0; i <= d.current; i++) {
    const b = d.batch(i);
    for (let p = 0; p < b.next; p++) {
      const id = b.seq[p]!;
      const h = id ? d.host(id) : undefined;
      if (h && h.seq === p && h.attempt > 0) hosts.push(id);
    }
  }
  return hosts;
}

function requestRevert(d: Draft): void {
  const hosts = assignedHosts(d);
  d.revertRequested = true;
  if (hosts.length > 0) d.commands.push({ type: "revert", hosts });
}

function abort(d: Draft, actor: string, revert: boolean): void {
  const wasPending = d.status === "pending";
  d.status = "aborted";
  d.pauseReason = null;
  d.finishedAt = d.now;
  d.record({
    kind: "rollout.aborted",
    message: `aborted by ${actor}${revert ? ", reverting" : ", keeping updated hosts"}`,
  });
  if (wasPending) return;
  if (revert) requestRevert(d);
  else
    for (const host of assignedHosts(d)) {
      // Hosts still on their way keep what they run now; settled hosts keep their outcome.
      if (isInFlight(d.host(host)!)) d.commands.push({ type: "clear-desired", host });
    }
}

function retry(d: Draft, actor: string): boolean {
  const b0 = d.batch(d.current);
  const again: string[] = [];
  for (let p = 0; p < b0.next; p++) {
    const id = b0.seq[p]!;
    const h = id ? d.host(id) : undefined;
    if (h && h.seq === p && h.attempt > 0 && (h.inconclusive || FAILED_OUTCOMES.includes(h.outcome)))
      again.push(id);
  }
  if (again.length === 0) return false;
  const b = d.editBatch(d.current);
  const seq = b.seq.slice();
  for (const id of again) {
    const h = d.editHost(id);
    if (h.inconclusive) b.inconclusive--;
    else {
      b.failed--;
      d.failedTotal--;
    }
    h.outcome = "pending";
    h.inconclusive = false;
    h.reason = null;
    h.assignedAt = null;
    h.lastReportAt = null;
    h.seq = seq.length;
    seq.push(id);
  }
  b.seq = seq;
  if (b.phase === "failed" || b.phase === "inconclusive" || b.phase === "baking") {
    b.phase = "deploying";
    b.bakeUntil = null;
  }
  d.record({
    kind: "rollout.retried",
    batch: b.index,
    message: `${again.length} host(s) queued again by ${actor}`,
  });
  if (d.status === "paused" && d.pauseReason !== "gate-blocked") {
    d.status = "running";
    d.pauseReason = null;
  }
  return true;
}

/** Marks a host settled and updates its batch's counters. */
function settle(d: Draft, h: HostState): void {
  const b = d.editBatch(h.batch);
  b.inFlight--;
  if (h.inconclusive) {
    b.inconclusive++;
    d.record({
      kind: "host.inconclusive",
      batch: h.batch,
      host: h.host,
      message: h.reason ?? "a health check could not run",
    });
  } else if (h.outcome === "confirmed") b.confirmed++;
  else {
    b.failed++;
    d.failedTotal++;
    d.record({
      kind: "host.failed",
      batch: h.batch,
      host: h.host,
      message: `${h.outcome}: ${h.reason ?? "no reason given"}`,
    });
  }
}

function hostReport(d: Draft, event: Extract<RolloutEvent, { type: "host-report" }>): boolean {
  const current = d.host(event.host);
  if (!current || !isInFlight(current)) return false;
  const h = d.editHost(event.host);
  h.outcome = event.outcome;
  h.lastReportAt = d.now;
  if (event.reason !== undefined) h.reason = event.reason;
  if (event.inconclusive) h.inconclusive = true;
  if (isSettled(h)) settle(d, h);
  return true;
}

/** Hosts past their deadline count as failed, or unreachable when they never reported at all. */
function timeOutHosts(d: Draft): void {
  if (d.status === "pending" || TERMINAL_STATUSES.includes(d.status)) return;
  const b0 = d.batch(d.current);
  const timeout = hostTimeoutMs(d.spec);
  let cursor = b0.timeoutCursor;
  while (cursor < b0.next) {
    const id = b0.seq[cursor]!;
    const h = id ? d.host(id) : undefined;
    if (!h || h.seq !== cursor || !isInFlight(h)) {
      cursor++;
      continue;
    }
    if (h.assignedAt! + timeout > d.now) break;
    const timedOut = d.editHost(id);
    timedOut.outcome = timedOut.lastReportAt === null ? "unreachable" : "failed";
    timedOut.reason = `no final outcome within ${timeout} ms of assignment`;
    settle(d, timedOut);
    cursor++;
  }
  if (cursor !== b0.timeoutCursor) d.editBatch(d.current).timeoutCursor = cursor;
}

/**
 * Moves the rollout as far as the current facts allow: failure checks first (they apply even while paused),
 * then assignments, batch completion, bake and the next batch's gate.
 */
function advance(d: Draft): void {
  for (;;) {
    if (TERMINAL_STATUSES.includes(d.status) || d.status === "pending") return;
    const budget = d.spec.errorBudget;
    if (budget !== null && d.failedTotal > toleratedFailures(budget, d.base.targetsTotal)) {
      fail(d, "error-budget", `${d.failedTotal} failed host(s) exhaust the rollout's error budget`);
      return;
    }
    const b = d.batch(d.current);
    if (b.phase === "deploying" && !b.accepted) {
      if (b.failed > toleratedFailures(d.spec.failureThreshold, b.size)) {
        d.editBatch(b.index).phase = "failed";
        d.record({
          kind: "batch.failed",
          batch: b.index,
          message: `${b.failed} of ${b.size} host(s) failed`,
        });
        if (d.spec.onFailure === "revert")
          fail(d, "batch-failed", `batch ${b.index + 1} crossed its failure threshold`);
        else pause(d, "batch-failed", `batch ${b.index + 1} crossed its failure threshold`);
        return;
      }
      if (b.inconclusive > 0) {
        d.editBatch(b.index).phase = "inconclusive";
        d.record({
          kind: "batch.inconclusive",
          batch: b.index,
          message: `${b.inconclusive} host(s) could not run their health checks`,
        });
        pause(d, "inconclusive", `batch ${b.index + 1} is inconclusive: a human must decide`);
        return;
      }
    }
    if (d.status !== "running") return;
    if (b.phase === "deploying") {
      assign(d);
      const after = d.batch(d.current);
      if (after.next < after.seq.length || after.inFlight > 0) return;
      const done = d.editBatch(d.current);
      done.phase = "baking";
      done.bakeUntil = d.now + d.spec.bakeTimeMs;
      d.record({
        kind: "batch.baking",
        batch: done.index,
        message: `batch ${done.index + 1} settled: ${done.confirmed} confirmed, ${done.failed} failed`,
      });
    }
    const baking = d.batch(d.current);
    if (baking.phase !== "baking" || (baking.bakeUntil ?? 0) > d.now) return;
    const passed = d.editBatch(d.current);
    passed.phase = "passed";
    passed.finishedAt = d.now;
    d.record({ kind: "batch.passed", batch: passed.index, message: `batch ${passed.index + 1} passed` });
    if (d.current + 1 >= d.base.batches.length) {
      d.status = "succeeded";
      d.finishedAt = d.now;
      d.record({
        kind: "rollout.succeeded",
        message: `${d.base.targetsTotal - d.failedTotal} of ${d.base.targetsTotal} host(s) updated`,
      });
      return;
    }
    openBatch(d, d.current + 1);
  }
}

/** Assigns queued hosts of the current batch while the in-flight limit allows. */
function assign(d: Draft): void {
  const b0 = d.batch(d.current);
  const limit = inFlightLimit(d.spec, b0);
  if (b0.inFlight >= limit || b0.next >= b0.seq.length) return;
  const b = d.editBatch(d.current);
  while (b.inFlight < limit && b.next < b.seq.length) {
    const id = b.seq[b.next]!;
    const h = d.editHost(id);
    h.attempt++;
    h.outcome = "pending";
    h.assignedAt = d.now;
    h.lastReportAt = null;
    b.inFlight++;
    b.next++;
    d.commands.push({ type: "set-desired", host: id, batch: b.index, attempt: h.attempt });
  }
}
