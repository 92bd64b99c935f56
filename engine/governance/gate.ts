/**
 * The governance gate: policy + targets + control results (with evidence ids and collection times) + now →
 * allow / warn / block, with every reason. Pure and order-independent: the same inputs in any order give the
 * same decision, so a stored decision can be recomputed by an auditor.
 *
 * Per target and required control the gate takes the latest result of the source the phase needs (eval before
 * a rollout; runtime before a batch when the control has a runtime check). No result, or one without a
 * collection time, is missing evidence; one older than the freshness window is stale evidence; both count as
 * not passing, never as pass. A fail covered by a valid waiver is waived; drift findings ("drift.*" results)
 * count for every target that has them. Problems block in `enforce`, warn in `permissive`, and are only
 * listed in `disabled`.
 */

import { catalog } from "../../controls/index.js";
import type { Control } from "../../controls/types.js";
import { canonicalHash } from "../../evidence/canonical.js";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { GateDecision, GateReason, GateVerdictKind } from "../../schemas/generated/gate-decision.js";
import type { EnforcementMode, Policy } from "../../schemas/generated/policy.js";
import { modeFor, type NormalisedPolicy, normalisePolicy } from "./policy.js";
import { type Instant, toIso, toMillis } from "./time.js";
import { findExpiredWaiver, findWaiver } from "./waivers.js";

export type { GateDecision, GateReason, GateVerdictKind };

export type GatePhase = "pre-rollout" | "pre-batch";

export interface GateTarget {
  host: string;
  tags?: readonly string[];
  environment?: string;
}

export interface GateInput {
  policy: Policy;
  targets: readonly GateTarget[];
  results: readonly ControlResult[];
  now: Instant;
  phase: GatePhase;
  /** The catalog to resolve "*" and runtime checks against; the real catalog by default. */
  controls?: readonly Control[];
}

const HOUR_MS = 3_600_000;
const MODE_RANK: Record<EnforcementMode, number> = { disabled: 0, permissive: 1, enforce: 2 };
const VERDICT_RANK: Record<GateVerdictKind, number> = { allow: 0, warn: 1, block: 2 };
/** When two results of one source share a collection time, the worse one wins, so input order never matters. */
const STATUS_RANK: Record<ControlResult["status"], number> = {
  pass: 0,
  "not-applicable": 1,
  waived: 2,
  error: 3,
  fail: 4,
};

const isDrift = (controlId: string) => controlId.startsWith("drift.");

/** Collection times as epoch ms; a fleet's results share few distinct timestamps, so parse each string once. */
class Clock {
  private readonly parsed = new Map<string, number>();
  ms(value: string | undefined): number {
    if (value === undefined) return Number.NaN;
    let ms = this.parsed.get(value);
    if (ms === undefined) {
      ms = Date.parse(value);
      this.parsed.set(value, ms);
    }
    return ms;
  }
  /** For ordering: a result without a (valid) time sorts before every dated one. */
  orderMs(result: ControlResult): number {
    const ms = this.ms(result.collectedAt);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  }
}

/** true when `a` should replace `b` as "the latest result". */
function supersedes(a: ControlResult, b: ControlResult, clock: Clock): boolean {
  const ta = clock.orderMs(a);
  const tb = clock.orderMs(b);
  if (ta !== tb) return ta > tb;
  const sa = STATUS_RANK[a.status];
  const sb = STATUS_RANK[b.status];
  if (sa !== sb) return sa > sb;
  return (a.evidenceId ?? "") > (b.evidenceId ?? "");
}

/** The latest result per host, control and source; drift results also listed per host. */
interface HostResults {
  eval: Map<string, ControlResult>;
  runtime: Map<string, ControlResult>;
  driftIds: Set<string>;
}

function latestResults(results: readonly ControlResult[], clock: Clock): Map<string, HostResults> {
  const byHost = new Map<string, HostResults>();
  for (const r of results) {
    let perHost = byHost.get(r.host);
    if (!perHost) {
      perHost = { eval: new Map(), runtime: new Map(), driftIds: new Set() };
      byHost.set(r.host, perHost);
    }
    const bySource = r.source === "runtime" ? perHost.runtime : perHost.eval;
    const current = bySource.get(r.controlId);
    if (!current || supersedes(r, current, clock)) bySource.set(r.controlId, r);
    if (isDrift(r.controlId)) perHost.driftIds.add(r.controlId);
  }
  return byHost;
}

const NO_RESULTS: HostResults = { eval: new Map(), runtime: new Map(), driftIds: new Set() };

interface Classified {
  why: GateReason["why"] | "pass" | "not-applicable";
  status: GateReason["status"];
  message: string;
  waiverId?: string;
}

function classify(
  result: ControlResult | undefined,
  source: "eval" | "runtime",
  policy: NormalisedPolicy,
  target: GateTarget,
  now: number,
  clock: Clock,
): Classified {
  if (!result) return { why: "missing-evidence", status: "missing", message: `no ${source} result` };
  const collected = clock.ms(result.collectedAt);
  if (Number.isNaN(collected))
    return { why: "missing-evidence", status: result.status, message: "the result has no collection time" };
  const maxAgeHours =
    source === "eval" ? policy.freshness.evalMaxAgeHours : policy.freshness.runtimeMaxAgeHours;
  const ageMs = now - collected;
  if (ageMs > maxAgeHours * HOUR_MS)
    return {
      why: "stale-evidence",
      status: result.status,
      message: `${source} evidence is ${Math.floor(ageMs / HOUR_MS)} h old, older than ${maxAgeHours} h`,
    };
  switch (result.status) {
    case "pass":
      return { why: "pass", status: "pass", message: result.message };
    case "not-applicable":
      return { why: "not-applicable", status: "not-applicable", message: result.message };
    case "error":
      return { why: "error", status: "error", message: result.message };
    case "fail":
    case "waived": {
      // A result arriving as "waived" is re-checked: only the policy's valid waivers count.
      const waiver =
        policy.waivers.length > 0
          ? findWaiver(policy.waivers, result.controlId, target.host, target.tags ?? [], now)
          : undefined;
      if (waiver)
        return {
          why: "waived",
          status: "waived",
          message: `waived by ${waiver.id} until ${waiver.expiresAt}: ${waiver.rationale}`,
          waiverId: waiver.id,
        };
      const expired =
        policy.waivers.length > 0
          ? findExpiredWaiver(policy.waivers, result.controlId, target.host, target.tags ?? [], now)
          : undefined;
      return {
        why: isDrift(result.controlId) ? "drift" : "failed",
        status: "fail",
        message: expired
          ? `${result.message} (waiver ${expired.id} expired at ${expired.expiresAt})`
          : result.message,
      };
    }
  }
}

function emptyCounts(targets: number): GateDecision["counts"] {
  return {
    targets,
    required: 0,
    pass: 0,
    fail: 0,
    waived: 0,
    missing: 0,
    stale: 0,
    error: 0,
    drift: 0,
    notApplicable: 0,
    advisoryFailed: 0,
  };
}

/** The gate decision for `targets` at `now`. */
export function decideGate(input: GateInput): GateDecision {
  const controls = input.controls ?? catalog;
  const policy = normalisePolicy(input.policy, controls);
  const now = toMillis(input.now);
  if (Number.isNaN(now)) throw new RangeError("decideGate: now is not a valid time");
  const byId = new Map(controls.map((c) => [c.id, c]));
  const clock = new Clock();
  const latest = latestResults(input.results, clock);

  // One entry per host; a host listed twice keeps its first target description.
  const targets: GateTarget[] = [];
  const seenHosts = new Set<string>();
  for (const t of input.targets) {
    if (seenHosts.has(t.host)) continue;
    seenHosts.add(t.host);
    targets.push(t);
  }

  const counts = emptyCounts(targets.length);
  const reasons: GateReason[] = [];
  const perTarget: GateDecision["targets"] = [];

  for (const target of targets) {
    const mode = modeFor(policy, target);
    const hostResults = latest.get(target.host) ?? NO_RESULTS;
    let problems = 0;
    const addReason = (controlId: string, c: Classified, result: ControlResult | undefined) => {
      const blocking = c.why !== "waived" && mode !== "disabled";
      if (blocking) problems++;
      const reason: GateReason = {
        controlId,
        host: target.host,
        status: c.status,
        why: c.why as GateReason["why"],
        mode,
        blocking,
        message: c.message,
      };
      if (result?.evidenceId) reason.evidenceId = result.evidenceId;
      if (result) reason.source = result.source;
      if (result?.collectedAt !== undefined && !Number.isNaN(clock.ms(result.collectedAt)))
        reason.collectedAt = result.collectedAt;
      if (c.waiverId) reason.waiverId = c.waiverId;
      reasons.push(reason);
    };

    for (const controlId of policy.requiredControls) {
      const control = byId.get(controlId);
      const source: "eval" | "runtime" = input.phase === "pre-batch" && control?.runtime ? "runtime" : "eval";
      const result = hostResults[source].get(controlId);
      const c = classify(result, source, policy, target, now, clock);
      counts.required++;
      switch (c.why) {
        case "pass":
          counts.pass++;
          continue;
        case "not-applicable":
          counts.notApplicable++;
          continue;
        case "failed":
        case "drift":
          counts.fail++;
          break;
        case "waived":
          counts.waived++;
          break;
        case "missing-evidence":
          counts.missing++;
          break;
        case "stale-evidence":
          counts.stale++;
          break;
        case "error":
          counts.error++;
          break;
      }
      addReason(controlId, c, result);
    }

    for (const controlId of policy.advisoryControls) {
      const control = byId.get(controlId);
      const source: "eval" | "runtime" = input.phase === "pre-batch" && control?.runtime ? "runtime" : "eval";
      if (hostResults[source].get(controlId)?.status === "fail") counts.advisoryFailed++;
    }

    // Drift findings: the running machine differs from its evaluated configuration.
    const driftIds = hostResults.driftIds.size > 0 ? [...hostResults.driftIds].sort() : [];
    for (const id of driftIds) {
      // Drift is observed at runtime; an eval-sourced drift result (unusual) is judged the same way.
      for (const result of [hostResults.runtime.get(id), hostResults.eval.get(id)]) {
        if (!result || (result.status !== "fail" && result.status !== "waived")) continue;
        const c = classify(result, "runtime", policy, target, now, clock);
        // Stale drift is old news, not evidence of a current difference; fresh failing drift is a finding.
        if (c.why === "drift") counts.drift++;
        else if (c.why === "waived") counts.waived++;
        else continue;
        addReason(result.controlId, c, result);
      }
    }

    const decision: GateVerdictKind =
      problems === 0 ? "allow" : mode === "enforce" ? "block" : mode === "permissive" ? "warn" : "allow";
    perTarget.push({ host: target.host, mode, decision });
  }

  const decision = perTarget.reduce<GateVerdictKind>(
    (worst, t) => (VERDICT_RANK[t.decision] > VERDICT_RANK[worst] ? t.decision : worst),
    "allow",
  );
  const mode =
    perTarget.length === 0
      ? policy.mode
      : perTarget.reduce<EnforcementMode>(
          (m, t) => (MODE_RANK[t.mode] > MODE_RANK[m] ? t.mode : m),
          "disabled",
        );

  return {
    decision,
    mode,
    phase: input.phase,
    decidedAt: toIso(now),
    policySha256: canonicalHash(policy),
    reasons,
    targets: perTarget,
    counts,
  };
}

/**
 * The results as they should be reported after the gate: a fail the gate found waived becomes "waived" with a
 * reference to its waiver; everything else is unchanged. Pure; returns new objects for changed results.
 */
export function markWaived(
  results: readonly ControlResult[],
  decision: GateDecision,
  policy: Policy,
): ControlResult[] {
  const waiverById = new Map((policy.waivers ?? []).map((w) => [w.id, w]));
  const waived = new Map<string, string>();
  for (const reason of decision.reasons)
    if (reason.why === "waived" && reason.waiverId)
      waived.set(`${reason.host}\u0000${reason.controlId}`, reason.waiverId);
  return results.map((r) => {
    if (r.status !== "fail" && r.status !== "waived") return r;
    const waiverId = waived.get(`${r.host}\u0000${r.controlId}`);
    const waiver = waiverId ? waiverById.get(waiverId) : undefined;
    if (!waiver) return r.status === "waived" ? { ...r, status: "fail" } : r;
    return {
      ...r,
      status: "waived",
      waiver: {
        id: waiver.id,
        rationale: waiver.rationale,
        approver: waiver.approvedBy,
        expiresAt: waiver.expiresAt,
      },
    };
  });
}
