/** Reads of governance records: stored gate decisions as evidence. */
import type { EvidenceRecord } from "../../schemas/generated/evidence-record.js";
import type { Db } from "../db/client.js";

/** A rollout's gate decisions (evidence records, kind gate-decision), oldest first. */
export function gateDecisionsOf(db: Db, rolloutId: string): EvidenceRecord[] {
  const rows = db.sqlite
    .prepare("SELECT record FROM gate_decisions WHERE rollout_id = ? ORDER BY decided_at, id")
    .all(rolloutId) as { record: string }[];
  return rows.map((r) => JSON.parse(r.record) as EvidenceRecord);
}
