/** Reading the audit trail: filtered pages (newest first) and streaming exports (CSV with formula-injection guard, JSON lines). */
import type { Db } from "../db/client.js";

export interface AuditEventView {
  seq: number;
  id: string;
  at: string;
  actor: { kind: string; id: string; role: string | null };
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  since?: number;
  until?: number;
  /** seq strictly below (newest-first paging) */
  beforeSeq?: number;
}

interface AuditRow {
  seq: number;
  id: string;
  at: number;
  actorKind: string;
  actorId: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

function toView(r: AuditRow): AuditEventView {
  return {
    seq: r.seq,
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: { kind: r.actorKind, id: r.actorId, role: r.actorRole },
    action: r.action,
    target: { type: r.targetType, id: r.targetId },
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    requestId: r.requestId,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

const SELECT = `SELECT seq, id, at, actor_kind AS actorKind, actor_id AS actorId, actor_role AS actorRole, action,
  target_type AS targetType, target_id AS targetId, before, after, request_id AS requestId, prev_hash AS prevHash, hash
  FROM audit_events`;

function where(f: AuditFilter): { sql: string; args: (string | number)[] } {
  const clauses: string[] = [];
  const args: (string | number)[] = [];
  // An action filter ending in ".*" matches every verb of an entity ("machine.*").
  if (f.action?.endsWith(".*")) {
    clauses.push("action LIKE ? ESCAPE '\\'");
    args.push(`${f.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  } else if (f.action) {
    clauses.push("action = ?");
    args.push(f.action);
  }
  if (f.actorId) {
    clauses.push("actor_id = ?");
    args.push(f.actorId);
  }
  if (f.targetType) {
    clauses.push("target_type = ?");
    args.push(f.targetType);
  }
  if (f.targetId) {
    clauses.push("target_id = ?");
    args.push(f.targetId);
  }
  if (f.since !== undefined) {
    clauses.push("at >= ?");
    args.push(f.since);
  }
  if (f.until !== undefined) {
    clauses.push("at < ?");
    args.push(f.until);
  }
  if (f.beforeSeq !== undefined) {
    clauses.push("seq < ?");
    args.push(f.beforeSeq);
  }
  return { sql: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", args };
}

export function listAudit(db: Db, f: AuditFilter, limit: number): { items: AuditEventView[]; next?: number } {
  const w = where(f);
  const rows = db.sqlite
    .prepare(`${SELECT}${w.sql} ORDER BY seq DESC LIMIT ?`)
    .all(...w.args, limit + 1) as AuditRow[];
  const items = rows.slice(0, limit).map(toView);
  return rows.length > limit ? { items, next: items[items.length - 1]?.seq } : { items };
}

/**
 * Matching events with seq > afterSeq, oldest first, one page at a time. Exports stream page by page: a
 * statement left iterating across an await would block every other query on the shared connection.
 */
export function auditPageAfter(db: Db, f: AuditFilter, afterSeq: number, limit: number): AuditEventView[] {
  const w = where(f);
  const sql = `${SELECT}${w.sql ? `${w.sql} AND` : " WHERE"} seq > ? ORDER BY seq LIMIT ?`;
  return (db.sqlite.prepare(sql).all(...w.args, afterSeq, limit) as AuditRow[]).map(toView);
}

/**
 * A CSV cell, quoted, with spreadsheet formula injection neutralised: a cell starting with = + - @ tab or CR is
 * prefixed with ' (OWASP CSV injection guidance), so opening the export in a spreadsheet runs nothing.
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const CSV_COLUMNS = [
  "seq",
  "id",
  "at",
  "actor_kind",
  "actor_id",
  "actor_role",
  "action",
  "target_type",
  "target_id",
  "before",
  "after",
  "request_id",
  "prev_hash",
  "hash",
] as const;

export function csvLine(e: AuditEventView): string {
  return `${[
    e.seq,
    e.id,
    e.at,
    e.actor.kind,
    e.actor.id,
    e.actor.role,
    e.action,
    e.target.type,
    e.target.id,
    e.before,
    e.after,
    e.requestId,
    e.prevHash,
    e.hash,
  ]
    .map(csvCell)
    .join(",")}\r\n`;
}
