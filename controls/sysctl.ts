/**
 * Kernel parameters (sysctl): one rule per key, checked on boot.kernel.sysctl at eval time and on
 * /proc/sys values (report.sysctl) at run time, so both checks and drift detection share one reading.
 */
import { cannotCheck, defineControl, fail, getPath, isRecord, pass } from "./check.js";
import type { CheckOutcome, Control, Facts, RuntimeReport } from "./types.js";

/** A sysctl requirement: an exact value, or a minimum. */
export type SysctlRule = { equals: number } | { atLeast: number };

/** Reads a sysctl value as NixOS or /proc expresses it: bool, int or numeric string. */
export function sysctlNumber(value: unknown): number | undefined {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

/** The value set for a key in boot.kernel.sysctl (keys contain dots, so the segment is read whole). */
export function evalSysctl(facts: Facts, key: string): unknown {
  return getPath(facts, ["boot", "kernel", "sysctl", key]);
}

function describe(rule: SysctlRule): string | number {
  return "equals" in rule ? rule.equals : `>= ${rule.atLeast}`;
}

function satisfied(rule: SysctlRule, value: number | undefined): boolean {
  if (value === undefined) return false;
  return "equals" in rule ? value === rule.equals : value >= rule.atLeast;
}

/** Compares a set of sysctl values against rules; unset keys fail (the kernel default is not evidence). */
export function checkSysctls(
  rules: Readonly<Record<string, SysctlRule>>,
  read: (key: string) => unknown,
  where: string,
): CheckOutcome {
  const observed: Record<string, unknown> = {};
  const expected: Record<string, string | number> = {};
  const wrong: string[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const raw = read(key);
    observed[key] = raw ?? null;
    expected[key] = describe(rule);
    if (!satisfied(rule, sysctlNumber(raw))) wrong.push(key);
  }
  if (wrong.length === 0)
    return pass(observed, expected, `all ${Object.keys(rules).length} keys as required in ${where}`);
  return fail(observed, expected, `${wrong.join(", ")} not as required in ${where}`);
}

/** Builds a control over a set of sysctl keys, with the eval and runtime checks. */
export function sysctlControl(
  spec: Omit<Control, "eval" | "runtime" | "platforms"> & { rules: Readonly<Record<string, SysctlRule>> },
): Control {
  const { rules, ...rest } = spec;
  return defineControl({
    ...rest,
    platforms: ["nixos"],
    eval: (facts) => checkSysctls(rules, (key) => evalSysctl(facts, key), "boot.kernel.sysctl"),
    runtime: (report: RuntimeReport) => {
      const live = report.sysctl;
      if (!isRecord(live)) return cannotCheck(null, rules, "the runtime report has no sysctl section");
      return checkSysctls(rules, (key) => live[key], "/proc/sys");
    },
  });
}
