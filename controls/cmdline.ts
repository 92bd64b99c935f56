/** Kernel command line: boot.kernelParams at eval time, /proc/cmdline (report.kernelCmdline) at run time. */
import { cannotCheck, stringListAt, verdict } from "./check.js";
import type { CheckOutcome, Facts, RuntimeReport } from "./types.js";

/** A parameter requirement: one of several acceptable spellings (e.g. "iommu=force" or "intel_iommu=on"). */
export interface ParamRule {
  name: string;
  anyOf: readonly string[];
}

function check(rules: readonly ParamRule[], params: readonly string[], where: string): CheckOutcome {
  const observed: Record<string, string | null> = {};
  const expected: Record<string, readonly string[]> = {};
  const missing: string[] = [];
  for (const rule of rules) {
    const found = params.find((p) => rule.anyOf.includes(p));
    observed[rule.name] = found ?? null;
    expected[rule.name] = rule.anyOf;
    if (!found) missing.push(rule.name);
  }
  return verdict(
    missing.length === 0,
    observed,
    expected,
    `required parameters present in ${where}`,
    `missing from ${where}: ${missing.join(", ")}`,
  );
}

export function evalParams(facts: Facts, rules: readonly ParamRule[]): CheckOutcome {
  return check(rules, stringListAt(facts, "boot.kernelParams"), "boot.kernelParams");
}

export function runtimeParams(report: RuntimeReport, rules: readonly ParamRule[]): CheckOutcome {
  if (!Array.isArray(report.kernelCmdline))
    return cannotCheck(null, rules, "the runtime report has no kernel command line");
  return check(rules, report.kernelCmdline, "/proc/cmdline");
}
