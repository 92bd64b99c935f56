/** Rollout engine types: the state the scheduler persists, the events it feeds, the commands it applies. */
import type { HostBook } from "./host-book.js";
import type { NormalizedSpec } from "./planner.js";

export type RolloutStatus = "pending" | "running" | "paused" | "succeeded" | "failed" | "aborted";
export const TERMINAL_STATUSES: readonly RolloutStatus[] = ["succeeded", "failed", "aborted"];
export const ACTIVE_STATUSES: readonly RolloutStatus[] = ["pending", "running", "paused"];

/** What became of one host. pending: not assigned (yet, or again after a retry). */
export type HostOutcome =
  | "pending"
  | "fetching"
  | "applying"
  | "verifying"
  | "confirmed"
  | "failed"
  | "rolled-back"
  | "unreachable";
export const FAILED_OUTCOMES: readonly HostOutcome[] = ["failed", "rolled-back", "unreachable"];
export const FINAL_OUTCOMES: readonly HostOutcome[] = ["confirmed", "failed", "rolled-back", "unreachable"];

/**
 * gating: waiting for the governance gate; deploying: assigning hosts and waiting for outcomes; baking: every
 * host settled within threshold, waiting out the bake time; blocked: the gate said no; failed: threshold
 * crossed; inconclusive: a health check could not run on some host. passed is final.
 */
export type BatchPhase =
  | "pending"
  | "gating"
  | "blocked"
  | "deploying"
  | "baking"
  | "passed"
  | "failed"
  | "inconclusive";

export type PauseReason = "operator" | "gate-blocked" | "batch-failed" | "inconclusive";
export type FailureReason = "batch-failed" | "error-budget";

export interface HostState {
  host: string;
  batch: number;
  outcome: HostOutcome;
  /** 0 until first assigned; +1 on every (re)assignment */
  attempt: number;
  /** position of the current attempt in its batch's assignment sequence */
  seq: number;
  assignedAt: number | null;
  /** last report for the current attempt */
  lastReportAt: number | null;
  /** a health check could not run: neither pass nor fail, a human decides */
  inconclusive: boolean;
  reason: string | null;
}

export interface BatchState {
  index: number;
  amount: string;
  size: number;
  /**
   * Assignment sequence: the batch's hosts in plan order, then hosts queued again by a retry. A host's
   * current attempt sits at position host.seq; "" marks a superseded attempt after a restore.
   */
  seq: readonly string[];
  /** seq position of the next host to assign */
  next: number;
  /**
   * Every attempt before this seq position has settled or been timed out. Assignment times grow along seq,
   * so deadlines do too, and a tick only looks at the head: O(hosts that changed), not O(batch).
   */
  timeoutCursor: number;
  phase: BatchPhase;
  /** an operator accepted this batch despite its threshold or an inconclusive check */
  accepted: boolean;
  inFlight: number;
  confirmed: number;
  failed: number;
  inconclusive: number;
  gateDecisionId: string | null;
  startedAt: number | null;
  bakeUntil: number | null;
  finishedAt: number | null;
}

export interface RolloutState {
  id: string;
  status: RolloutStatus;
  spec: NormalizedSpec;
  batches: readonly BatchState[];
  hosts: HostBook;
  current: number;
  pauseReason: PauseReason | null;
  failureReason: FailureReason | null;
  failedTotal: number;
  targetsTotal: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** abort-with-revert or onFailure revert asked for a rollback rollout */
  revertRequested: boolean;
}

/** The governance gate's answer, as far as the engine cares. */
export interface GateVerdict {
  allow: boolean;
  decisionId: string;
}

/** Outcomes an agent can report for its current assignment. */
export type ReportedOutcome = Exclude<HostOutcome, "pending" | "unreachable">;

export type RolloutEvent =
  | { type: "start"; actor: string; gate?: GateVerdict }
  | { type: "gate-decided"; batch: number; gate: GateVerdict }
  | {
      type: "host-report";
      host: string;
      outcome: ReportedOutcome;
      inconclusive?: boolean;
      reason?: string;
    }
  | { type: "tick" }
  | { type: "pause"; actor: string }
  | { type: "resume"; actor: string }
  | { type: "promote"; actor: string }
  | { type: "abort"; actor: string; revert: boolean }
  | { type: "retry"; actor: string };

export type RolloutEventKind =
  | "rollout.started"
  | "rollout.paused"
  | "rollout.resumed"
  | "rollout.succeeded"
  | "rollout.failed"
  | "rollout.aborted"
  | "rollout.retried"
  | "rollout.promoted"
  | "batch.gating"
  | "batch.blocked"
  | "batch.started"
  | "batch.baking"
  | "batch.passed"
  | "batch.failed"
  | "batch.inconclusive"
  | "host.failed"
  | "host.inconclusive";

/** Something worth telling a human watching the rollout; the scheduler stores it in rollout_events. */
export interface RolloutEventRecord {
  kind: RolloutEventKind;
  message: string;
  batch?: number;
  host?: string;
}

/** Effects for the scheduler to persist first and then apply. */
export type RolloutCommand =
  | { type: "set-desired"; host: string; batch: number; attempt: number }
  | { type: "clear-desired"; host: string }
  | { type: "evaluate-gate"; batch: number }
  | { type: "revert"; hosts: string[] }
  | { type: "record-event"; event: RolloutEventRecord };

/** Which parts of the state a step changed, so the scheduler writes only those rows. */
export interface Touched {
  rollout: boolean;
  batches: number[];
  hosts: string[];
}

export interface StepResult {
  state: RolloutState;
  commands: RolloutCommand[];
  touched: Touched;
  /** set when the event is not allowed in this state (the state is returned unchanged) */
  rejected?: string;
}
