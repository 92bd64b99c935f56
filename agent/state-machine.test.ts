import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AgentEvent,
  AgentState,
  InvalidTransition,
  recoveryEvent,
  TRANSITIONS,
  transition,
} from "./state-machine.js";

const ALL_EVENTS = [
  ...new Set(Object.values(TRANSITIONS).flatMap((edges) => Object.keys(edges))),
] as AgentEvent[];

describe("agent state machine", () => {
  it("walks the happy path back to Idle", () => {
    const path: AgentEvent[] = ["poll", "new-generation", "fetched", "activated", "confirmed", "reported"];
    const states: AgentState[] = [AgentState.Idle];
    for (const event of path) states.push(transition(states.at(-1) as AgentState, event));
    expect(states).toEqual([
      AgentState.Idle,
      AgentState.Checking,
      AgentState.Fetching,
      AgentState.Applying,
      AgentState.Verifying,
      AgentState.Reporting,
      AgentState.Idle,
    ]);
  });

  it("rolls back on every failure after the profile may have changed", () => {
    expect(transition(AgentState.Applying, "activation-failed")).toBe(AgentState.RollingBack);
    expect(transition(AgentState.Verifying, "health-failed")).toBe(AgentState.RollingBack);
    expect(transition(AgentState.Verifying, "confirm-deadline-passed")).toBe(AgentState.RollingBack);
    expect(transition(AgentState.Verifying, "confirm-rejected")).toBe(AgentState.RollingBack);
    expect(transition(AgentState.RollingBack, "rolled-back")).toBe(AgentState.Reporting);
  });

  it("never rolls back when nothing was switched", () => {
    expect(transition(AgentState.Fetching, "fetch-failed")).toBe(AgentState.Reporting);
    expect(transition(AgentState.Applying, "switch-refused")).toBe(AgentState.Reporting);
    expect(transition(AgentState.Checking, "check-failed")).toBe(AgentState.Idle);
  });

  it("rejects edges that are not in the table", () => {
    expect(() => transition(AgentState.Idle, "confirmed")).toThrow(InvalidTransition);
    expect(() => transition(AgentState.Fetching, "activated")).toThrow(
      "no transition from Fetching on activated",
    );
    // Confirming is only possible from Verifying: no path confirms without health checks.
    for (const state of Object.values(AgentState))
      if (state !== AgentState.Verifying) expect(TRANSITIONS[state].confirmed).toBeUndefined();
  });

  it("recovers by rolling back from every state in which a generation may be unconfirmed", () => {
    expect(recoveryEvent(AgentState.Applying)).toBe("unconfirmed-found");
    expect(recoveryEvent(AgentState.Verifying)).toBe("unconfirmed-found");
    expect(recoveryEvent(AgentState.RollingBack)).toBe("unconfirmed-found");
    for (const s of [AgentState.Idle, AgentState.Checking, AgentState.Fetching, AgentState.Reporting])
      expect(recoveryEvent(s)).toBeNull();
    for (const s of [AgentState.Applying, AgentState.Verifying, AgentState.RollingBack])
      expect(transition(s, "unconfirmed-found")).toBe(AgentState.RollingBack);
  });

  it("property: any accepted event sequence from Idle reaches Idle again, and Verifying is always entered through Applying", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALL_EVENTS), { maxLength: 60 }), (events) => {
        let state: AgentState = AgentState.Idle;
        for (const event of events) {
          const next: AgentState | undefined = TRANSITIONS[state][event];
          if (next === undefined) continue;
          if (next === AgentState.Verifying && state !== AgentState.Verifying)
            expect(state).toBe(AgentState.Applying);
          state = next;
        }
        // From any reachable state, Idle is reachable again (no dead ends).
        const seen = new Set<AgentState>([state]);
        const queue = [state];
        while (queue.length > 0) {
          const s = queue.shift() as AgentState;
          for (const n of Object.values(TRANSITIONS[s])) {
            if (n && !seen.has(n)) {
              seen.add(n);
              queue.push(n);
            }
          }
        }
        expect(seen.has(AgentState.Idle)).toBe(true);
      }),
    );
  });
});
