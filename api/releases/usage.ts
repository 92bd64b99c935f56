/**
 * Who still uses a release: a release is deleted only when nothing refers to it. Each entry is a query that
 * returns the referring ids. The rollout resource (H4) appends its own entry for rollouts here.
 */
import type { Db } from "../db/client.js";

export interface ReleaseUser {
  /** what refers to the release, e.g. "desired generation", "rollout" */
  kind: string;
  /** ids of the referring things (empty: unused) */
  find(db: Db, releaseId: string): string[];
}

function tableExists(db: Db, name: string): boolean {
  return (
    db.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined
  );
}

export const releaseUsers: ReleaseUser[] = [
  {
    kind: "desired generation of machine",
    find: (db, releaseId) =>
      (
        db.sqlite
          .prepare("SELECT machine_id AS id FROM desired_generations WHERE release_id = ?")
          .all(releaseId) as { id: string }[]
      ).map((r) => r.id),
  },
  {
    // Rollouts live in H4's tables; until their migration exists this finds nothing.
    kind: "rollout",
    find: (db, releaseId) =>
      tableExists(db, "rollouts")
        ? (
            db.sqlite.prepare("SELECT id FROM rollouts WHERE release_id = ?").all(releaseId) as {
              id: string;
            }[]
          ).map((r) => r.id)
        : [],
  },
];
