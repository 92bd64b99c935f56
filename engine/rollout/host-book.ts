/**
 * A persistent (copy-on-write) table of host states. Updating k hosts copies the chunk directory once and
 * k chunks of 64 entries, so a step costs O(fleet/64 + changed·64) instead of O(fleet): a 10,000-host
 * rollout can be stepped once per agent report without copying 10,000 entries each time.
 */
import type { HostState } from "./types.js";

const CHUNK = 64;

export class HostBook {
  private constructor(
    /** machine id → position; fixed at plan time and shared by every version of the book */
    private readonly positions: ReadonlyMap<string, number>,
    private readonly chunks: readonly (readonly HostState[])[],
    readonly size: number,
  ) {}

  /** A book holding `hosts` at positions 0..n-1 in the given order. */
  static of(hosts: readonly HostState[]): HostBook {
    const positions = new Map<string, number>();
    const chunks: HostState[][] = [];
    hosts.forEach((h, i) => {
      if (positions.has(h.host)) throw new Error(`host ${h.host} appears twice`);
      positions.set(h.host, i);
      if (i % CHUNK === 0) chunks.push([]);
      chunks[chunks.length - 1]!.push(h);
    });
    return new HostBook(positions, chunks, hosts.length);
  }

  get(host: string): HostState | undefined {
    const pos = this.positions.get(host);
    if (pos === undefined) return undefined;
    return this.chunks[Math.floor(pos / CHUNK)]![pos % CHUNK];
  }

  has(host: string): boolean {
    return this.positions.has(host);
  }

  /** A new book with these states replacing the ones of the same hosts; this book is unchanged. */
  with(updates: Iterable<HostState>): HostBook {
    let chunks: (readonly HostState[])[] | null = null;
    const copied = new Set<number>();
    for (const state of updates) {
      const pos = this.positions.get(state.host);
      if (pos === undefined) throw new Error(`host ${state.host} is not in this rollout`);
      chunks ??= this.chunks.slice();
      const c = Math.floor(pos / CHUNK);
      if (!copied.has(c)) {
        chunks[c] = chunks[c]!.slice();
        copied.add(c);
      }
      (chunks[c] as HostState[])[pos % CHUNK] = state;
    }
    return chunks ? new HostBook(this.positions, chunks, this.size) : this;
  }

  *values(): IterableIterator<HostState> {
    for (const chunk of this.chunks) yield* chunk;
  }
}
