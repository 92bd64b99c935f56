/** The agent's explicit state machine: states, events and the one transition table. Pure. */

export enum AgentState {
  Idle = "Idle",
  Checking = "Checking",
  Fetching = "Fetching",
  Applying = "Applying",
  Verifying = "Verifying",
  RollingBack = "RollingBack",
  Reporting = "Reporting",
}

export type AgentEvent =
  /** the poll timer fired (or --once started a cycle) */
  | "poll"
  /** the desired generation is what runs now, or nothing is desired */
  | "up-to-date"
  /** a different generation is desired */
  | "new-generation"
  /** the control plane could not be reached or answered badly */
  | "check-failed"
  /** on start: a generation was switched to but never confirmed */
  | "unconfirmed-found"
  /** the store path is now in the local store */
  | "fetched"
  /** the store path is neither present nor fetchable */
  | "fetch-failed"
  /** --dry-run: fetched and checked, not switching */
  | "dry-run-done"
  /** another process holds the switch lock: nothing was changed */
  | "switch-refused"
  /** the profile was set and the current-system link points at the target */
  | "activated"
  /** activation failed, or the link never pointed at the target */
  | "activation-failed"
  /** every health check passed and the control plane accepted the confirmation */
  | "confirmed"
  /** a health check failed or could not run (and onInconclusive is rollback) */
  | "health-failed"
  /** the confirm deadline passed without an accepted confirmation */
  | "confirm-deadline-passed"
  /** the control plane answered that the generation is no longer desired */
  | "confirm-rejected"
  /** the previous generation is active again */
  | "rolled-back"
  /** rollback itself failed: the machine needs a human */
  | "rollback-failed"
  /** the status report was queued or sent */
  | "reported";

/** The transition table: state → event → next state. Anything not listed is a programming error. */
export const TRANSITIONS: Readonly<Record<AgentState, Partial<Record<AgentEvent, AgentState>>>> = {
  [AgentState.Idle]: {
    poll: AgentState.Checking,
    "unconfirmed-found": AgentState.RollingBack,
  },
  [AgentState.Checking]: {
    "up-to-date": AgentState.Idle,
    "check-failed": AgentState.Idle,
    "new-generation": AgentState.Fetching,
  },
  [AgentState.Fetching]: {
    fetched: AgentState.Applying,
    "fetch-failed": AgentState.Reporting,
    "dry-run-done": AgentState.Reporting,
  },
  [AgentState.Applying]: {
    activated: AgentState.Verifying,
    "activation-failed": AgentState.RollingBack,
    "switch-refused": AgentState.Reporting,
    // A crash in Applying is recovered on start: the switch may have happened, so roll back.
    "unconfirmed-found": AgentState.RollingBack,
  },
  [AgentState.Verifying]: {
    confirmed: AgentState.Reporting,
    "health-failed": AgentState.RollingBack,
    "confirm-deadline-passed": AgentState.RollingBack,
    "confirm-rejected": AgentState.RollingBack,
    "unconfirmed-found": AgentState.RollingBack,
  },
  [AgentState.RollingBack]: {
    "rolled-back": AgentState.Reporting,
    "rollback-failed": AgentState.Reporting,
    // A crash during rollback: start it again (rollback is idempotent towards the recorded previous path).
    "unconfirmed-found": AgentState.RollingBack,
  },
  [AgentState.Reporting]: {
    reported: AgentState.Idle,
  },
};

export class InvalidTransition extends Error {
  constructor(
    readonly from: AgentState,
    readonly event: AgentEvent,
  ) {
    super(`no transition from ${from} on ${event}`);
    this.name = "InvalidTransition";
  }
}

/** The state after `event` in `from`; throws InvalidTransition when the table has no such edge. */
export function transition(from: AgentState, event: AgentEvent): AgentState {
  const next = TRANSITIONS[from][event];
  if (next === undefined) throw new InvalidTransition(from, event);
  return next;
}

/** What a restarted agent must do, given the state it persisted before it stopped. */
export function recoveryEvent(persisted: AgentState): AgentEvent | null {
  switch (persisted) {
    case AgentState.Applying:
    case AgentState.Verifying:
    case AgentState.RollingBack:
      return "unconfirmed-found";
    default:
      // Idle, Checking, Fetching, Reporting: nothing was switched, or the outcome is already recorded.
      return null;
  }
}

/** Maps the agent's internal state to the host outcome vocabulary of agent-status-report. */
export type HostOutcome =
  | "idle"
  | "fetching"
  | "applying"
  | "verifying"
  | "confirmed"
  | "failed"
  | "rolled-back";
