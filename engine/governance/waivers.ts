/**
 * Waivers: approved, time-boxed exceptions to a control. A waiver counts only while it is valid: it has a
 * rationale, was approved by someone other than the requester, its approval time (if given) has come, and it
 * has not expired. The CLI treats an invalid waiver in a policy file as an input error; the gate simply does
 * not count it, so an expired waiver blocks again at once.
 */
import type { Policy, Waiver } from "../../schemas/generated/policy.js";
import type { PolicyIssue } from "./policy.js";
import { type Instant, toMillis } from "./time.js";

export type WaiverState =
  | "valid"
  | "expired"
  | "no-rationale"
  | "self-approved"
  | "not-yet-approved"
  | "bad-date";

/** Why a waiver does or does not count at `now`. */
export function waiverState(waiver: Waiver, now: Instant): WaiverState {
  if (waiver.rationale.trim() === "") return "no-rationale";
  if (waiver.approvedBy.trim() === waiver.requestedBy.trim()) return "self-approved";
  const expires = Date.parse(waiver.expiresAt);
  if (Number.isNaN(expires)) return "bad-date";
  const at = toMillis(now);
  if (waiver.approvedAt !== undefined) {
    const approved = Date.parse(waiver.approvedAt);
    if (Number.isNaN(approved)) return "bad-date";
    if (approved > at) return "not-yet-approved";
  }
  // expiresAt is the first instant the waiver no longer counts.
  return at >= expires ? "expired" : "valid";
}

export function isWaiverValid(waiver: Waiver, now: Instant): boolean {
  return waiverState(waiver, now) === "valid";
}

/** true when the waiver's scope includes the host: listed by name, or sharing a tag; no hosts and no tags is fleet-wide. */
export function waiverCovers(
  waiver: Waiver,
  controlId: string,
  host: string,
  tags: readonly string[] = [],
): boolean {
  if (waiver.controlId !== controlId) return false;
  const hosts = waiver.hosts ?? [];
  const waiverTags = waiver.tags ?? [];
  if (hosts.length === 0 && waiverTags.length === 0) return true;
  return hosts.includes(host) || waiverTags.some((t) => tags.includes(t));
}

/** Of the waivers covering (control, host) that `keep` accepts, the one that expires last, then by id (determinism). */
function latestCovering(
  waivers: readonly Waiver[],
  controlId: string,
  host: string,
  tags: readonly string[],
  keep: (w: Waiver) => boolean,
): Waiver | undefined {
  let latest: Waiver | undefined;
  for (const w of waivers) {
    if (!waiverCovers(w, controlId, host, tags) || !keep(w)) continue;
    if (
      !latest ||
      Date.parse(w.expiresAt) > Date.parse(latest.expiresAt) ||
      (Date.parse(w.expiresAt) === Date.parse(latest.expiresAt) && w.id < latest.id)
    )
      latest = w;
  }
  return latest;
}

/** The valid waiver covering (control, host), choosing the one that expires last, then by id, for determinism. */
export function findWaiver(
  waivers: readonly Waiver[],
  controlId: string,
  host: string,
  tags: readonly string[],
  now: Instant,
): Waiver | undefined {
  return latestCovering(waivers, controlId, host, tags, (w) => isWaiverValid(w, now));
}

/**
 * The covering waiver that expired last before `now` (approved by someone else, otherwise valid): the gate names
 * it when a fail it used to waive blocks again, so the operator sees why a rollout that started stopped.
 */
export function findExpiredWaiver(
  waivers: readonly Waiver[],
  controlId: string,
  host: string,
  tags: readonly string[],
  now: Instant,
): Waiver | undefined {
  return latestCovering(waivers, controlId, host, tags, (w) => waiverState(w, now) === "expired");
}

const STATE_MESSAGES: Record<
  Exclude<WaiverState, "valid">,
  (w: Waiver) => { field: string; message: string }
> = {
  expired: (w) => ({ field: "expiresAt", message: `waiver "${w.id}" expired at ${w.expiresAt}` }),
  "no-rationale": (w) => ({ field: "rationale", message: `waiver "${w.id}" has no rationale` }),
  "self-approved": (w) => ({
    field: "approvedBy",
    message: `waiver "${w.id}" is approved by its requester "${w.requestedBy}" (four eyes: another admin must approve)`,
  }),
  "not-yet-approved": (w) => ({
    field: "approvedAt",
    message: `waiver "${w.id}" is approved only from ${w.approvedAt}`,
  }),
  "bad-date": (w) => ({ field: "expiresAt", message: `waiver "${w.id}" has an unreadable date` }),
};

/** Every waiver of the policy that would not count at `now`, with the JSON pointer of the offending field. */
export function validateWaivers(policy: Pick<Policy, "waivers">, now: Instant): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  (policy.waivers ?? []).forEach((waiver, i) => {
    if (seen.has(waiver.id))
      issues.push({ path: `/waivers/${i}/id`, message: `duplicate waiver id "${waiver.id}"` });
    seen.add(waiver.id);
    const state = waiverState(waiver, now);
    if (state === "valid") return;
    const { field, message } = STATE_MESSAGES[state](waiver);
    issues.push({ path: `/waivers/${i}/${field}`, message });
  });
  return issues;
}

export type ApproverRole = "admin" | "operator" | "auditor" | "agent";

export type WaiverApproval =
  | { ok: true }
  | { ok: false; reason: "approver-not-admin" | "self-approval"; message: string };

/** The four-eyes rule for approving a waiver: the approver is an admin and not the requester. */
export function checkWaiverApproval(input: {
  requestedBy: string;
  approvedBy: string;
  approverRole: ApproverRole | string;
}): WaiverApproval {
  if (input.approverRole !== "admin")
    return {
      ok: false,
      reason: "approver-not-admin",
      message: `only an admin may approve a waiver; ${input.approvedBy} is ${input.approverRole}`,
    };
  if (input.approvedBy.trim() === input.requestedBy.trim())
    return {
      ok: false,
      reason: "self-approval",
      message: `${input.approvedBy} requested this waiver and cannot also approve it (four eyes)`,
    };
  return { ok: true };
}
