/**
 * The policy in force and the waivers that complete it. Policies are versioned rows (the newest is in force);
 * approved, unrevoked waivers from the waivers table join the policy's own list before the gate sees it, so
 * an expired or revoked waiver stops counting on the very next gate evaluation.
 */
import { DEFAULT_POLICY } from "../../engine/governance/index.js";
import type { Policy, Waiver } from "../../schemas/generated/policy.js";
import type { Db } from "../db/client.js";

export interface StoredPolicy {
  id: string | null;
  version: number;
  document: Policy;
  createdAt: string | null;
  createdBy: string | null;
  /** true when no policy was ever set and the built-in default applies */
  isDefault: boolean;
}

interface PolicyRow {
  id: string;
  version: number;
  document: string;
  createdAt: number;
  createdBy: string;
}

/** The policy in force: the newest stored version, or the built-in default (every control required, enforced). */
export function currentPolicy(db: Db): StoredPolicy {
  const row = db.sqlite
    .prepare(
      "SELECT id, version, document, created_at AS createdAt, created_by AS createdBy FROM policies ORDER BY version DESC LIMIT 1",
    )
    .get() as PolicyRow | undefined;
  if (!row)
    return {
      id: null,
      version: 0,
      document: DEFAULT_POLICY,
      createdAt: null,
      createdBy: null,
      isDefault: true,
    };
  return {
    id: row.id,
    version: row.version,
    document: JSON.parse(row.document) as Policy,
    createdAt: new Date(row.createdAt).toISOString(),
    createdBy: row.createdBy,
    isDefault: false,
  };
}

export interface WaiverRow {
  id: string;
  controlId: string;
  hosts: string;
  tags: string;
  rationale: string;
  requestedBy: string;
  requestedAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  expiresAt: number;
  revokedBy: string | null;
  revokedAt: number | null;
  revokeReason: string | null;
}

export const WAIVER_COLUMNS = `id, control_id AS controlId, hosts, tags, rationale, requested_by AS requestedBy,
  requested_at AS requestedAt, approved_by AS approvedBy, approved_at AS approvedAt, expires_at AS expiresAt,
  revoked_by AS revokedBy, revoked_at AS revokedAt, revoke_reason AS revokeReason`;

/** A stored waiver in the policy's shape (only meaningful once approved). */
export function toPolicyWaiver(w: WaiverRow): Waiver {
  const hosts = JSON.parse(w.hosts) as string[];
  const tags = JSON.parse(w.tags) as string[];
  return {
    id: w.id,
    controlId: w.controlId,
    ...(hosts.length ? { hosts } : {}),
    ...(tags.length ? { tags } : {}),
    rationale: w.rationale,
    requestedBy: w.requestedBy,
    approvedBy: w.approvedBy ?? "",
    ...(w.approvedAt !== null ? { approvedAt: new Date(w.approvedAt).toISOString() } : {}),
    expiresAt: new Date(w.expiresAt).toISOString(),
  };
}

/** Approved and unrevoked waivers; the gate itself decides which are still valid at its `now`. */
export function approvedWaivers(db: Db): Waiver[] {
  const rows = db.sqlite
    .prepare(
      `SELECT ${WAIVER_COLUMNS} FROM waivers WHERE approved_by IS NOT NULL AND revoked_at IS NULL ORDER BY id`,
    )
    .all() as WaiverRow[];
  return rows.map(toPolicyWaiver);
}

/** The policy the gate applies: the one in force plus every approved waiver. */
export function effectivePolicy(db: Db, base: Policy = currentPolicy(db).document): Policy {
  return { ...base, waivers: [...(base.waivers ?? []), ...approvedWaivers(db)] };
}
