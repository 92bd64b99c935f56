/**
 * Policy normalisation: defaults filled in, "*" expanded against the control catalog, so the gate and the CLI
 * read one shape. Pure.
 */

import { catalog, selectControls } from "../../controls/index.js";
import type { Control } from "../../controls/types.js";
import type { EnforcementMode, Policy, Waiver } from "../../schemas/generated/policy.js";

export type { EnforcementMode, Policy, Waiver };

/** Defaults of schemas/policy.schema.json, applied here because ajv does not insert them for us. */
export const DEFAULT_EVAL_MAX_AGE_HOURS = 720;
export const DEFAULT_RUNTIME_MAX_AGE_HOURS = 24;

export interface NormalisedPolicy {
  version: 1;
  frameworks: NonNullable<Policy["frameworks"]>;
  anssiLevel?: NonNullable<Policy["anssiLevel"]>;
  nis2Entity?: NonNullable<Policy["nis2Entity"]>;
  /** Control ids that must pass, sorted; "*" already expanded. */
  requiredControls: string[];
  /** Control ids reported but never blocking, sorted; a control is never both. */
  advisoryControls: string[];
  freshness: { evalMaxAgeHours: number; runtimeMaxAgeHours: number };
  mode: EnforcementMode;
  modes: NonNullable<Policy["modes"]>;
  waivers: Waiver[];
}

/** The policy used when none is given: every selected control is required, enforced. */
export const DEFAULT_POLICY: Policy = { version: 1, requiredControls: ["*"], mode: "enforce" };

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

/**
 * Fills defaults and expands "*" (or an absent requiredControls) to every control the profile selects.
 * Explicit ids stay even when unknown to the catalog, so a typo surfaces as missing evidence, never as a pass.
 */
export function normalisePolicy(policy: Policy, controls: readonly Control[] = catalog): NormalisedPolicy {
  const selected = selectControls(
    {
      ...(policy.frameworks ? { frameworks: policy.frameworks } : {}),
      ...(policy.anssiLevel ? { level: policy.anssiLevel } : {}),
      ...(policy.nis2Entity ? { entity: policy.nis2Entity } : {}),
    },
    controls,
  ).map((c) => c.id);
  const advisory = new Set(policy.advisoryControls ?? []);
  const requested = policy.requiredControls ?? ["*"];
  const required = new Set<string>();
  const explicit = new Set(requested.filter((id) => id !== "*"));
  if (requested.includes("*")) for (const id of selected) if (!advisory.has(id)) required.add(id);
  for (const id of explicit) required.add(id);
  // An explicitly required control is required even when also listed as advisory.
  for (const id of explicit) advisory.delete(id);
  const normalised: NormalisedPolicy = {
    version: 1,
    frameworks: [...(policy.frameworks ?? [])].sort(),
    requiredControls: sorted(required),
    advisoryControls: sorted(advisory),
    freshness: {
      evalMaxAgeHours: policy.freshness?.evalMaxAgeHours ?? DEFAULT_EVAL_MAX_AGE_HOURS,
      runtimeMaxAgeHours: policy.freshness?.runtimeMaxAgeHours ?? DEFAULT_RUNTIME_MAX_AGE_HOURS,
    },
    mode: policy.mode ?? "enforce",
    modes: (policy.modes ?? []).map((m) => ({ ...m })),
    waivers: (policy.waivers ?? []).map((w) => ({ ...w })),
  };
  if (policy.anssiLevel) normalised.anssiLevel = policy.anssiLevel;
  if (policy.nis2Entity) normalised.nis2Entity = policy.nis2Entity;
  return normalised;
}

export interface ModeTarget {
  environment?: string | undefined;
  tags?: readonly string[] | undefined;
}

/** The mode for a target: the first `modes` entry whose environment or tag matches, else the default. */
export function modeFor(
  policy: Pick<NormalisedPolicy, "mode" | "modes">,
  target: ModeTarget,
): EnforcementMode {
  for (const rule of policy.modes) {
    if (rule.environment !== undefined && rule.environment === target.environment) return rule.mode;
    if (rule.tag !== undefined && (target.tags ?? []).includes(rule.tag)) return rule.mode;
  }
  return policy.mode;
}

export interface PolicyIssue {
  /** JSON pointer into the policy document, e.g. "/waivers/0/expiresAt". */
  path: string;
  message: string;
}

/** Control ids the policy names that no control in `controls` has: a typo would otherwise never be enforced. */
export function unknownControlIssues(policy: Policy, controls: readonly Control[] = catalog): PolicyIssue[] {
  const known = new Set(controls.map((c) => c.id));
  const issues: PolicyIssue[] = [];
  const checkList = (field: "requiredControls" | "advisoryControls") => {
    (policy[field] ?? []).forEach((id, i) => {
      if (id !== "*" && !known.has(id))
        issues.push({ path: `/${field}/${i}`, message: `unknown control "${id}"` });
    });
  };
  checkList("requiredControls");
  checkList("advisoryControls");
  (policy.waivers ?? []).forEach((w, i) => {
    if (!known.has(w.controlId) && !w.controlId.startsWith("drift."))
      issues.push({ path: `/waivers/${i}/controlId`, message: `unknown control "${w.controlId}"` });
  });
  (policy.modes ?? []).forEach((m, i) => {
    if (m.environment === undefined && m.tag === undefined)
      issues.push({ path: `/modes/${i}`, message: "a mode rule needs an environment or a tag to match" });
  });
  return issues;
}
