/** Reads of waivers (no audit): one waiver, and the list with each one's state at `now`. */
import type { WaiverRecord } from "../../schemas/generated/waiver-record.js";
import type { Db } from "../db/client.js";
import { NotFound } from "../errors.js";
import { WAIVER_COLUMNS, type WaiverRow } from "../policy/store.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toWaiverRecord(w: WaiverRow, now: number): WaiverRecord {
  const state: WaiverRecord["state"] =
    w.revokedAt !== null
      ? "revoked"
      : now >= w.expiresAt
        ? "expired"
        : w.approvedBy === null
          ? "requested"
          : "active";
  return {
    id: w.id,
    controlId: w.controlId,
    hosts: JSON.parse(w.hosts) as string[],
    tags: JSON.parse(w.tags) as string[],
    rationale: w.rationale,
    requestedBy: w.requestedBy,
    requestedAt: new Date(w.requestedAt).toISOString(),
    approvedBy: w.approvedBy,
    approvedAt: iso(w.approvedAt),
    expiresAt: new Date(w.expiresAt).toISOString(),
    revokedBy: w.revokedBy,
    revokedAt: iso(w.revokedAt),
    revokeReason: w.revokeReason,
    state,
  };
}

export function findWaiverRow(db: Db, id: string): WaiverRow | undefined {
  return db.sqlite.prepare(`SELECT ${WAIVER_COLUMNS} FROM waivers WHERE id = ?`).get(id) as
    | WaiverRow
    | undefined;
}

export function getWaiverRow(db: Db, id: string): WaiverRow {
  const row = findWaiverRow(db, id);
  if (!row) throw new NotFound(`waiver ${id} does not exist`, { waiverId: id });
  return row;
}

/** Waivers newest first, optionally only those in one state. */
export function listWaivers(db: Db, now: number, state?: WaiverRecord["state"]): WaiverRecord[] {
  const rows = db.sqlite
    .prepare(`SELECT ${WAIVER_COLUMNS} FROM waivers ORDER BY id DESC`)
    .all() as WaiverRow[];
  const all = rows.map((r) => toWaiverRecord(r, now));
  return state ? all.filter((w) => w.state === state) : all;
}
