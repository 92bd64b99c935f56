/** Prefixed, time-sortable ids (`rel_…`, `rol_…`, `evd_…`, `mch_…`): 10 chars of time + 16 of randomness, Crockford base32. */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export type IdPrefix =
  | "rel"
  | "rol"
  | "evd"
  | "mch"
  | "aud"
  | "tok"
  | "wvr"
  | "gat"
  | "bat"
  | "req"
  | "bnd"
  | "pol";

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** A new id; `now` and `random` are injectable so pure code and tests stay deterministic. */
export function newId(
  prefix: IdPrefix,
  now: number = Date.now(),
  random: Uint8Array = randomBytes(10),
): string {
  let rnd = "";
  for (let i = 0; i < 16; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    const shift = bit & 7;
    const v = (((random[byte] ?? 0) << 8) | (random[byte + 1] ?? 0)) >> (11 - shift);
    rnd += ALPHABET[v & 31];
  }
  return `${prefix}_${encodeTime(now)}${rnd}`;
}

/** The id's prefix, or undefined when it has none of ours. */
export function idPrefix(id: string): IdPrefix | undefined {
  const m = /^([a-z]{3})_[0-9A-Z]{26}$/.exec(id);
  return m ? (m[1] as IdPrefix) : undefined;
}
