/** Host counts and percentages ("3", 3, "12.5%"), parsed once and rounded the same way every time. */
import type { RolloutAmount } from "../../schemas/generated/rollout-spec.js";

/** A parsed amount. Percentages are kept in thousandths of a percent so rounding is exact integer arithmetic. */
export type Amount = { kind: "count"; count: number } | { kind: "percent"; milli: number };

const PERCENT = /^(\d{1,3})(?:\.(\d{1,3}))?%$/;
const COUNT = /^\d{1,9}$/;

/** Thrown for an amount the schema would also reject; pure code cannot rely on having been validated. */
export class AmountError extends Error {
  override name = "AmountError";
}

/** Parses "3", 3 or "12.5%" (≤ 100%, ≤ 3 decimals). */
export function parseAmount(amount: RolloutAmount): Amount {
  if (typeof amount === "number") {
    if (!Number.isSafeInteger(amount) || amount < 0) throw new AmountError(`not a host count: ${amount}`);
    return { kind: "count", count: amount };
  }
  if (COUNT.test(amount)) return { kind: "count", count: Number(amount) };
  const m = PERCENT.exec(amount);
  if (!m) throw new AmountError(`not a host count or percentage: ${JSON.stringify(amount)}`);
  const milli = Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
  if (milli > 100_000) throw new AmountError(`a percentage cannot exceed 100%: ${amount}`);
  return { kind: "percent", milli };
}

/**
 * Hosts reached once a batch with this cumulative amount is done, out of `total`: a count is taken as is
 * (clamped to the total), a percentage is the CEILING of that share — so "1%" of any non-empty fleet is at
 * least one host and "100%" is always every host. Integer arithmetic only: the same inputs give the same
 * answer on every machine.
 */
export function cumulativeHosts(amount: Amount, total: number): number {
  if (amount.kind === "count") return Math.min(amount.count, total);
  return Math.min(total, Math.floor((amount.milli * total + 99_999) / 100_000));
}

/**
 * Failures tolerated out of `size` hosts: a count as is, a percentage rounded DOWN — a threshold never
 * tolerates more than it says.
 */
export function toleratedFailures(amount: Amount, size: number): number {
  if (amount.kind === "count") return amount.count;
  return Math.floor((amount.milli * size) / 100_000);
}

/** The amount as the user wrote it, normalised ("3", "12.5%"). */
export function formatAmount(amount: Amount): string {
  if (amount.kind === "count") return String(amount.count);
  const whole = Math.floor(amount.milli / 1000);
  const frac = amount.milli % 1000;
  return frac === 0 ? `${whole}%` : `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}%`;
}
