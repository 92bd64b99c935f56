/** R61 update freshness, shared by the important/essential variants of the lock-age control. */
import { boolAt, cannotCheck, maps, numberAt, verdict } from "./check.js";
import type { CheckOutcome, Facts } from "./types.js";

/** Lock age against a limit; an unknown age with auto-upgrade on still passes, unknown without it cannot be checked. */
export function lockAgeCheck(facts: Facts, maxDays: number): CheckOutcome {
  const age = numberAt(facts, "nixfleet.meta.lockAgeDays");
  const autoUpgrade = boolAt(facts, "system.autoUpgrade.enable");
  const observed = { lockAgeDays: age ?? null, "system.autoUpgrade.enable": autoUpgrade ?? null };
  const expected = { lockAgeDays: `<= ${maxDays}`, or: { "system.autoUpgrade.enable": true } };
  if (age === undefined) {
    if (autoUpgrade === true)
      return verdict(true, observed, expected, "lock age unknown, but the host upgrades itself", "");
    return cannotCheck(
      observed,
      expected,
      "nixfleet.meta.lockAgeDays is unknown (pass meta.lockLastModified to facts.nix)",
    );
  }
  return verdict(
    age <= maxDays,
    observed,
    expected,
    `nixpkgs lock is ${age} day(s) old`,
    `nixpkgs lock is ${age} day(s) old (limit ${maxDays}): security fixes are missing`,
  );
}

export const UPDATE_MAPPINGS = maps({
  nis2: ["21.2.e"],
  dora: ["Art.9", "Art.7"],
  iso27001: ["A.8.8", "A.8.19"],
  "anssi-bp028": ["R61"],
});

/**
 * Pure evaluation has no clock, so facts may carry nixfleet.meta.lockLastModified (epoch seconds) instead of
 * lockAgeDays; the checker fills lockAgeDays from it with its own notion of now. Facts that already have an
 * age, or no lock date, are returned unchanged.
 */
export function withLockAge(facts: Facts, now: Date): Facts {
  const meta = facts.nixfleet?.meta;
  const lastModified = meta?.lockLastModified;
  if (
    !meta ||
    meta.lockAgeDays !== undefined ||
    typeof lastModified !== "number" ||
    !Number.isFinite(lastModified)
  )
    return facts;
  const days = Math.max(0, Math.floor((now.getTime() / 1000 - lastModified) / 86400));
  return { ...facts, nixfleet: { ...facts.nixfleet, meta: { ...meta, lockAgeDays: days } } };
}
