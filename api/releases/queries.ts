/** Reads of releases: summaries, full manifests, and the diff between two releases. */
import { desc, eq, lt } from "drizzle-orm";
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import type { Db } from "../db/client.js";
import { releaseHosts, releases } from "../db/schema/index.js";
import { NotFound } from "../errors.js";

export interface ReleaseSummary {
  id: string;
  sha256: string;
  createdAt: string;
  createdBy: string;
  source: ReleaseManifest["source"] | null;
  hosts: { host: string; toplevel: string; failing: number }[];
}

export interface ReleaseDetail extends ReleaseSummary {
  manifest: ReleaseManifest;
}

type ReleaseRow = typeof releases.$inferSelect;

function summary(db: Db, row: ReleaseRow, manifest: ReleaseManifest): ReleaseSummary {
  const hosts = db.orm
    .select({ host: releaseHosts.host, toplevel: releaseHosts.toplevel, failing: releaseHosts.failing })
    .from(releaseHosts)
    .where(eq(releaseHosts.releaseId, row.id))
    .orderBy(releaseHosts.host)
    .all();
  return {
    id: row.id,
    sha256: row.sha256,
    createdAt: new Date(row.createdAt).toISOString(),
    createdBy: row.createdBy,
    source: manifest.source ?? null,
    hosts,
  };
}

export function findRelease(db: Db, id: string): ReleaseDetail | undefined {
  const row = db.orm.select().from(releases).where(eq(releases.id, id)).get();
  if (!row) return undefined;
  const manifest = JSON.parse(row.manifest) as ReleaseManifest;
  return { ...summary(db, row, manifest), manifest };
}

export function getRelease(db: Db, id: string): ReleaseDetail {
  const r = findRelease(db, id);
  if (!r) throw new NotFound(`release ${id} does not exist`, { releaseId: id });
  return r;
}

/** Releases newest first (created_at, then id), cursor = last id seen. */
export function listReleases(
  db: Db,
  q: { before?: string; limit: number },
): { items: ReleaseSummary[]; next?: string } {
  const rows = db.orm
    .select()
    .from(releases)
    .where(q.before ? lt(releases.id, q.before) : undefined)
    .orderBy(desc(releases.id))
    .limit(q.limit + 1)
    .all();
  const items = rows.slice(0, q.limit).map((r) => summary(db, r, JSON.parse(r.manifest) as ReleaseManifest));
  return rows.length > q.limit ? { items, next: items[items.length - 1]?.id } : { items };
}

export interface ReleaseDiff {
  from: string;
  to: string;
  added: { host: string; toplevel: string }[];
  removed: { host: string; toplevel: string }[];
  changed: {
    host: string;
    fromToplevel: string;
    toToplevel: string;
    controls: {
      controlId: string;
      from: ControlResult["status"] | null;
      to: ControlResult["status"] | null;
    }[];
  }[];
  unchanged: string[];
}

function statusByControl(results: readonly ControlResult[]): Map<string, ControlResult["status"]> {
  return new Map(results.map((r) => [r.controlId, r.status]));
}

/** What changes when going from release `a` to release `b`: hosts added, removed, re-pointed, control status changes. */
export function diffReleases(a: ReleaseDetail, b: ReleaseDetail): ReleaseDiff {
  const diff: ReleaseDiff = { from: a.id, to: b.id, added: [], removed: [], changed: [], unchanged: [] };
  const hosts = [...new Set([...Object.keys(a.manifest.hosts), ...Object.keys(b.manifest.hosts)])].sort();
  for (const host of hosts) {
    const x = a.manifest.hosts[host];
    const y = b.manifest.hosts[host];
    if (!x && y) diff.added.push({ host, toplevel: y.toplevel });
    else if (x && !y) diff.removed.push({ host, toplevel: x.toplevel });
    else if (x && y) {
      const sx = statusByControl(x.evalEvidence);
      const sy = statusByControl(y.evalEvidence);
      const controls = [...new Set([...sx.keys(), ...sy.keys()])]
        .sort()
        .filter((id) => sx.get(id) !== sy.get(id))
        .map((id) => ({ controlId: id, from: sx.get(id) ?? null, to: sy.get(id) ?? null }));
      if (x.toplevel === y.toplevel && controls.length === 0) diff.unchanged.push(host);
      else diff.changed.push({ host, fromToplevel: x.toplevel, toToplevel: y.toplevel, controls });
    }
  }
  return diff;
}
