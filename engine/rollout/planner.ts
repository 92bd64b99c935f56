/** The rollout planner: spec + inventory + rollout id → batches that partition the targets. Pure. */
import type { RolloutSpec, RolloutTargets } from "../../schemas/generated/rollout-spec.js";
import { type Amount, AmountError, cumulativeHosts, formatAmount, parseAmount } from "./amounts.js";
import { seededOrder } from "./order.js";

/** One machine the planner may target. `id` is the machine id; `name` is the host name, if it has one. */
export interface InventoryHost {
  id: string;
  name?: string | undefined;
  tags?: readonly string[] | undefined;
}

/** One batch of a plan: its hosts in rollout order and the cumulative amount that produced it. */
export interface Batch {
  index: number;
  hosts: string[];
  /** the spec entry this batch comes from ("10%"), or "rest" for the leftover batch */
  amount: string;
  /** hosts reached once this batch is done */
  cumulative: number;
}

/** The spec with every default applied and every amount parsed. */
export interface NormalizedSpec {
  strategy: RolloutSpec["strategy"];
  batches: Amount[];
  failureThreshold: Amount;
  errorBudget: Amount | null;
  onFailure: "pause" | "revert";
  bakeTimeMs: number;
  healthTimeoutMs: number;
  confirmWindowMs: number;
  maxInFlight: number | null;
  targets: RolloutTargets;
}

export type PlanErrorCode = "invalid-spec" | "no-selector" | "unknown-host" | "no-targets";

/** Why a spec cannot be planned against an inventory; a closed set of codes the API maps to 4xx. */
export class PlanError extends Error {
  override name = "PlanError";
  constructor(
    readonly code: PlanErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_BATCHES: Record<RolloutSpec["strategy"], readonly string[]> = {
  canary: ["1", "100%"],
  staged: ["1", "10%", "50%", "100%"],
  "all-at-once": ["100%"],
};
export const DEFAULT_HEALTH_TIMEOUT_MS = 300_000;
export const DEFAULT_CONFIRM_WINDOW_MS = 600_000;

/** Applies defaults and parses amounts; throws PlanError("invalid-spec") for combinations the schema allows. */
export function normalizeSpec(spec: RolloutSpec): NormalizedSpec {
  if (spec.strategy === "all-at-once" && spec.batches !== undefined)
    throw new PlanError("invalid-spec", "all-at-once takes no batches: it is one batch of every target");
  try {
    const batches = (spec.batches ?? DEFAULT_BATCHES[spec.strategy]).map(parseAmount);
    return {
      strategy: spec.strategy,
      batches,
      failureThreshold: parseAmount(spec.failureThreshold ?? "0"),
      errorBudget: spec.errorBudget === undefined ? null : parseAmount(spec.errorBudget),
      onFailure: spec.onFailure ?? "pause",
      bakeTimeMs: spec.bakeTimeMs ?? 0,
      healthTimeoutMs: spec.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
      confirmWindowMs: spec.confirmWindowMs ?? DEFAULT_CONFIRM_WINDOW_MS,
      maxInFlight: spec.maxInFlight ?? null,
      targets: spec.targets,
    };
  } catch (err) {
    if (err instanceof AmountError) throw new PlanError("invalid-spec", err.message);
    throw err;
  }
}

/**
 * The machine ids a target selector picks: (tags.all ∩ tags.any ∪ hosts) minus exclude, or every machine
 * with all: true. An empty selector is an error, never "everything": the whole fleet needs all: true.
 */
export function resolveTargets(targets: RolloutTargets, inventory: readonly InventoryHost[]): string[] {
  const byKey = new Map<string, InventoryHost>();
  for (const host of inventory) {
    byKey.set(host.id, host);
    if (host.name) byKey.set(host.name, host);
  }
  const lookup = (key: string, field: string): InventoryHost => {
    const host = byKey.get(key);
    if (!host) throw new PlanError("unknown-host", `${field}: no machine named ${JSON.stringify(key)}`);
    return host;
  };
  const tagsAll = targets.tags?.all ?? [];
  const tagsAny = targets.tags?.any ?? [];
  const named = targets.hosts ?? [];
  const hasTagSelector = tagsAll.length > 0 || tagsAny.length > 0;
  if (!targets.all && !hasTagSelector && named.length === 0)
    throw new PlanError(
      "no-selector",
      "targets select nothing: name hosts or tags, or set all: true (--all) for the whole fleet",
    );
  const selected = new Set<string>();
  for (const host of inventory) {
    if (targets.all) {
      selected.add(host.id);
      continue;
    }
    if (!hasTagSelector) continue;
    const tags = new Set(host.tags ?? []);
    if (tagsAll.every((t) => tags.has(t)) && (tagsAny.length === 0 || tagsAny.some((t) => tags.has(t))))
      selected.add(host.id);
  }
  for (const key of named) selected.add(lookup(key, "targets.hosts").id);
  for (const key of targets.exclude ?? []) selected.delete(lookup(key, "targets.exclude").id);
  if (selected.size === 0) throw new PlanError("no-targets", "the target selector matches no machine");
  return [...selected];
}

/**
 * Batches for a rollout. Every target is in exactly one batch. Each spec entry is cumulative (see
 * cumulativeHosts: percentages are the ceiling of their share); an entry that adds no host makes no batch,
 * and hosts left after the last entry form a final "rest" batch. Hosts are ordered by seededOrder(rolloutId).
 */
export function planRollout(
  spec: RolloutSpec,
  inventory: readonly InventoryHost[],
  rolloutId: string,
): Batch[] {
  const normalized = normalizeSpec(spec);
  const ordered = seededOrder(resolveTargets(normalized.targets, inventory), rolloutId);
  return batchesFor(normalized.batches, ordered);
}

/** Cuts an ordered host list into batches by cumulative amounts. */
export function batchesFor(amounts: readonly Amount[], ordered: readonly string[]): Batch[] {
  const total = ordered.length;
  const batches: Batch[] = [];
  let reached = 0;
  for (const amount of amounts) {
    const cumulative = Math.max(reached, cumulativeHosts(amount, total));
    if (cumulative === reached) continue;
    batches.push({
      index: batches.length,
      hosts: ordered.slice(reached, cumulative),
      amount: formatAmount(amount),
      cumulative,
    });
    reached = cumulative;
  }
  if (reached < total)
    batches.push({ index: batches.length, hosts: ordered.slice(reached), amount: "rest", cumulative: total });
  return batches;
}
