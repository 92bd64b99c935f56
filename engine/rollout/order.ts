/** Deterministic, seeded host order: the same rollout id always visits hosts in the same order. */

/**
 * cyrb53: a fast 53-bit string hash (public domain, by bryc). Not cryptographic — it only has to spread
 * hosts evenly and be identical on every run; pure code cannot reach node:crypto.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Hosts sorted by hash(seed, host), ties by id. The order depends only on the seed and the set of hosts —
 * never on the order the inventory arrived in — and adding a host does not reshuffle the others.
 */
export function seededOrder(hostIds: readonly string[], seed: string): string[] {
  const keyed = hostIds.map((id) => ({ id, key: hash53(`${seed}\u0000${id}`) }));
  keyed.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.id);
}
