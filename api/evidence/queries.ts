/** Evidence queries: by machine, kind, control, framework requirement and time, newest first. */
import type { Db } from "../db/client.js";

export interface EvidenceFilter {
  machineId?: string;
  kind?: "runtime-report" | "health-check" | "control-result";
  controlId?: string;
  framework?: string;
  requirement?: string;
  status?: string;
  since?: number;
  until?: number;
  beforeSeq?: number;
}

export interface EvidenceItemView {
  seq: number;
  id: string;
  machineId: string;
  kind: string;
  idempotencyKey: string;
  collectedAt: string;
  receivedAt: string;
  sha256: string;
  controlId: string | null;
  status: string | null;
  payload: unknown;
}

interface Row {
  seq: number;
  id: string;
  machineId: string;
  kind: string;
  idempotencyKey: string;
  collectedAt: number;
  receivedAt: number;
  sha256: string;
  controlId: string | null;
  status: string | null;
  payload: string;
}

export function listEvidence(
  db: Db,
  f: EvidenceFilter,
  limit: number,
): { items: EvidenceItemView[]; next?: number } {
  const clauses: string[] = [];
  const args: (string | number)[] = [];
  const add = (sql: string, v: string | number | undefined) => {
    if (v === undefined) return;
    clauses.push(sql);
    args.push(v);
  };
  add("e.machine_id = ?", f.machineId);
  add("e.kind = ?", f.kind);
  add("e.control_id = ?", f.controlId);
  add("e.status = ?", f.status);
  add("e.collected_at >= ?", f.since);
  add("e.collected_at < ?", f.until);
  add("e.seq < ?", f.beforeSeq);
  if (f.framework || f.requirement) {
    const sub = ["r.evidence_seq = e.seq"];
    if (f.framework) {
      sub.push("r.framework = ?");
      args.push(f.framework);
    }
    if (f.requirement) {
      sub.push("r.requirement = ?");
      args.push(f.requirement);
    }
    clauses.push(`EXISTS (SELECT 1 FROM evidence_requirements r WHERE ${sub.join(" AND ")})`);
  }
  const rows = db.sqlite
    .prepare(
      `SELECT e.seq, e.id, e.machine_id AS machineId, e.kind, e.idempotency_key AS idempotencyKey,
         e.collected_at AS collectedAt, e.received_at AS receivedAt, e.sha256, e.control_id AS controlId, e.status,
         e.payload
       FROM evidence_items e ${clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""}
       ORDER BY e.seq DESC LIMIT ?`,
    )
    .all(...args, limit + 1) as Row[];
  const items = rows.slice(0, limit).map((r) => ({
    ...r,
    collectedAt: new Date(r.collectedAt).toISOString(),
    receivedAt: new Date(r.receivedAt).toISOString(),
    payload: JSON.parse(r.payload) as unknown,
  }));
  return rows.length > limit ? { items, next: items[items.length - 1]?.seq } : { items };
}
