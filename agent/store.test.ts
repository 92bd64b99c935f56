import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AgentState } from "./state-machine.js";
import { AgentStore } from "./store.js";

const file = () => join(mkdtempSync(join(tmpdir(), "nixfleet-store-")), "agent.sqlite");

describe("agent store", () => {
  it("persists state and pending generation across reopen", () => {
    const path = file();
    const store = new AgentStore(path, { maxOutboxItems: 10 });
    expect(store.load()).toEqual({ state: AgentState.Idle, pending: null, lastOutcome: null });
    const pending = {
      storePath: "/nix/store/b",
      rolloutId: "rol_1",
      releaseId: null,
      previousStorePath: "/nix/store/a",
      switchedAt: null,
      confirmDeadline: null,
    };
    store.save(AgentState.Applying, pending, null);
    store.close();
    const reopened = new AgentStore(path, { maxOutboxItems: 10 });
    expect(reopened.load()).toEqual({ state: AgentState.Applying, pending, lastOutcome: null });
    reopened.close();
  });

  it("bounds the outbox by dropping the oldest items and counting them", () => {
    const store = new AgentStore(file(), { maxOutboxItems: 3 });
    for (let i = 0; i < 5; i++)
      store.enqueue({
        idempotencyKey: `key-000${i}`,
        kind: "runtime-report",
        collectedAt: `2026-01-01T00:00:0${i}Z`,
        payload: { i },
      });
    expect(store.outboxSize()).toBe(3);
    expect(store.counter("outbox.dropped")).toBe(2);
    expect(store.peek(10).map((i) => i.idempotencyKey)).toEqual(["key-0002", "key-0003", "key-0004"]);
    store.close();
  });

  it("ignores an item queued twice under the same key, and acknowledges by sequence", () => {
    const store = new AgentStore(file(), { maxOutboxItems: 100 });
    const item = {
      idempotencyKey: "runtime-report:abc",
      kind: "runtime-report" as const,
      collectedAt: "2026-01-01T00:00:00Z",
      payload: {},
    };
    store.enqueue(item);
    store.enqueue(item);
    expect(store.outboxSize()).toBe(1);
    const [queued] = store.peek(10);
    store.acknowledge([queued?.seq as number]);
    expect(store.outboxSize()).toBe(0);
    store.close();
  });

  it("keeps only the newest status reports", () => {
    const store = new AgentStore(file(), { maxOutboxItems: 100 });
    for (let i = 0; i < 25; i++) store.queueStatus({ n: i }, 20);
    const queued = store.peekStatus();
    expect(queued).toHaveLength(20);
    expect(queued[0]?.body).toEqual({ n: 5 });
    store.close();
  });
});
