/** Rollout state ⇄ rows: what the scheduler stores, and how a restarted control plane rebuilds the state. */
import { HostBook } from "./host-book.js";
import type { NormalizedSpec } from "./planner.js";
import type { BatchState, HostState, RolloutState } from "./types.js";

/** A batch as stored: the assignment sequence is rebuilt from the hosts' seq positions. */
export type BatchRow = Omit<BatchState, "seq"> & { seqLength: number };

/** Everything needed to rebuild a RolloutState; each part maps to one table row (rollout, batch, host). */
export interface RolloutSnapshot {
  id: string;
  status: RolloutState["status"];
  spec: NormalizedSpec;
  current: number;
  pauseReason: RolloutState["pauseReason"];
  failureReason: RolloutState["failureReason"];
  failedTotal: number;
  startedAt: number | null;
  finishedAt: number | null;
  revertRequested: boolean;
  batches: BatchRow[];
  /** in plan order (batch, then position), as planRollout produced them */
  hosts: HostState[];
}

export function batchRow(b: BatchState): BatchRow {
  const { seq, ...rest } = b;
  return { ...rest, seqLength: seq.length };
}

/**
 * Rebuilds a state. Each host's current attempt goes back to its seq position; positions of superseded
 * attempts (before a retry) become "" — they lie before every cursor, so nothing ever assigns them again.
 */
export function restoreRolloutState(snapshot: RolloutSnapshot): RolloutState {
  const seqs = snapshot.batches.map((b) => new Array<string>(b.seqLength).fill(""));
  for (const h of snapshot.hosts) {
    const seq = seqs[h.batch];
    if (!seq || h.seq < 0 || h.seq >= seq.length)
      throw new Error(`host ${h.host}: seq ${h.seq} outside batch ${h.batch} of rollout ${snapshot.id}`);
    seq[h.seq] = h.host;
  }
  return {
    id: snapshot.id,
    status: snapshot.status,
    spec: snapshot.spec,
    current: snapshot.current,
    pauseReason: snapshot.pauseReason,
    failureReason: snapshot.failureReason,
    failedTotal: snapshot.failedTotal,
    startedAt: snapshot.startedAt,
    finishedAt: snapshot.finishedAt,
    revertRequested: snapshot.revertRequested,
    targetsTotal: snapshot.hosts.length,
    batches: snapshot.batches.map(({ seqLength: _, ...b }, i) => ({ ...b, seq: seqs[i]! })),
    hosts: HostBook.of(snapshot.hosts),
  };
}

/** The snapshot of a state (the inverse of restoreRolloutState). */
export function snapshotOf(state: RolloutState): RolloutSnapshot {
  return {
    id: state.id,
    status: state.status,
    spec: state.spec,
    current: state.current,
    pauseReason: state.pauseReason,
    failureReason: state.failureReason,
    failedTotal: state.failedTotal,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    revertRequested: state.revertRequested,
    batches: state.batches.map(batchRow),
    hosts: [...state.hosts.values()],
  };
}
