/** Small, pure helpers shared by the control files: outcome builders and tolerant readers of fact values. */
import { getPath, isRecord } from "./facts-path.js";
import type { AnssiLevel, CheckOutcome, Control, Facts, FrameworkId, RequirementMapping } from "./types.js";

export { getPath, isRecord };

/** Every outcome carries what was observed and what was expected, whatever the status. */
export function pass(observed: unknown, expected: unknown, message: string): CheckOutcome {
  return { status: "pass", observed: observed ?? null, expected: expected ?? null, message };
}
export function fail(observed: unknown, expected: unknown, message: string): CheckOutcome {
  return { status: "fail", observed: observed ?? null, expected: expected ?? null, message };
}
export function notApplicable(observed: unknown, expected: unknown, message: string): CheckOutcome {
  return { status: "not-applicable", observed: observed ?? null, expected: expected ?? null, message };
}
export function cannotCheck(observed: unknown, expected: unknown, message: string): CheckOutcome {
  return { status: "error", observed: observed ?? null, expected: expected ?? null, message };
}
/** pass or fail on a condition, with one message for each. */
export function verdict(
  ok: boolean,
  observed: unknown,
  expected: unknown,
  passMessage: string,
  failMessage: string,
): CheckOutcome {
  return ok ? pass(observed, expected, passMessage) : fail(observed, expected, failMessage);
}

/** Identity with a type: lets each catalog file be checked against the Control interface. */
export function defineControl(control: Control): Control {
  return control;
}

/** Mapping shorthand: `maps({ nis2: ["21.2.i"], "anssi-bp028": ["R30"] })`. */
export function maps(byFramework: Partial<Record<FrameworkId, readonly string[]>>): RequirementMapping[] {
  const out: RequirementMapping[] = [];
  for (const framework of ["nis2", "dora", "iso27001", "anssi-bp028"] as const) {
    for (const requirement of byFramework[framework] ?? []) out.push({ framework, requirement });
  }
  return out;
}

/** The platform of the host: nixfleet.meta.platform, else derived from the Nix system double. */
export function platformOf(facts: Facts): "nixos" | "darwin" {
  const meta: unknown = isRecord(facts) && isRecord(facts.nixfleet) ? facts.nixfleet.meta : undefined;
  if (isRecord(meta)) {
    if (meta.platform === "darwin" || meta.platform === "nixos") return meta.platform;
    if (typeof meta.system === "string" && meta.system.endsWith("-darwin")) return "darwin";
  }
  return "nixos";
}

/** A boolean option; undefined when absent or not a boolean. */
export function boolAt(facts: unknown, path: string | readonly string[]): boolean | undefined {
  const v = getPath(facts, path);
  return typeof v === "boolean" ? v : undefined;
}
export function stringAt(facts: unknown, path: string | readonly string[]): string | undefined {
  const v = getPath(facts, path);
  return typeof v === "string" ? v : undefined;
}
export function numberAt(facts: unknown, path: string | readonly string[]): number | undefined {
  const v = getPath(facts, path);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
/** A list option; non-arrays read as an empty list. */
export function listAt(facts: unknown, path: string | readonly string[]): unknown[] {
  const v = getPath(facts, path);
  return Array.isArray(v) ? v : [];
}
export function stringListAt(facts: unknown, path: string | readonly string[]): string[] {
  return listAt(facts, path).filter((x): x is string => typeof x === "string");
}
/** An attribute-set option (e.g. users.users); non-objects read as empty. */
export function recordAt(facts: unknown, path: string | readonly string[]): Record<string, unknown> {
  const v = getPath(facts, path);
  return isRecord(v) ? v : {};
}

/** Order of BP-028 levels, for "level ≤ L" comparisons. */
export const LEVEL_RANK: Readonly<Record<AnssiLevel, number>> = {
  minimal: 0,
  intermediary: 1,
  enhanced: 2,
  high: 3,
};
