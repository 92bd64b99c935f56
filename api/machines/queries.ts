/** Reads of machines (no mutation, no audit): one machine, and filtered cursor pages. */
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import type { Machine } from "../../schemas/generated/machine.js";
import type { Db } from "../db/client.js";
import { machines, machineTags } from "../db/schema/index.js";
import { NotFound } from "../errors.js";

type MachineRow = typeof machines.$inferSelect;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toMachine(row: MachineRow, tags: string[]): Machine {
  return {
    id: row.id,
    hostName: row.hostName,
    platform: row.platform ?? null,
    lifecycle: row.lifecycle,
    tags: [...tags].sort(),
    registeredAt: new Date(row.registeredAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    lastSeenAt: iso(row.lastSeenAt),
    lastState: row.lastState,
    currentStorePath: row.currentStorePath,
  };
}

function tagsOf(db: Db, ids: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  for (const t of db.orm.select().from(machineTags).where(inArray(machineTags.machineId, ids)).all())
    out.get(t.machineId)?.push(t.tag);
  return out;
}

export function findMachine(db: Db, id: string): Machine | undefined {
  const row = db.orm.select().from(machines).where(eq(machines.id, id)).get();
  return row ? toMachine(row, tagsOf(db, [id]).get(id) ?? []) : undefined;
}

export function getMachine(db: Db, id: string): Machine {
  const m = findMachine(db, id);
  if (!m) throw new NotFound(`machine ${id} is not registered`, { machineId: id });
  return m;
}

export interface MachineFilter {
  /** every tag must be present */
  tags?: string[];
  lifecycle?: MachineRow["lifecycle"];
  after?: string;
  limit: number;
}

/** A page of machines ordered by id; `nextCursor` is the last id when more may follow. */
export function listMachines(db: Db, filter: MachineFilter): { items: Machine[]; next?: string } {
  const where: SQL[] = [];
  if (filter.after !== undefined) where.push(gt(machines.id, filter.after));
  if (filter.lifecycle) where.push(eq(machines.lifecycle, filter.lifecycle));
  for (const tag of filter.tags ?? [])
    where.push(
      sql`exists (select 1 from ${machineTags} where ${machineTags.machineId} = ${machines.id} and ${machineTags.tag} = ${tag})`,
    );
  const rows = db.orm
    .select()
    .from(machines)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(machines.id))
    .limit(filter.limit + 1)
    .all();
  const page = rows.slice(0, filter.limit);
  const tags = tagsOf(
    db,
    page.map((r) => r.id),
  );
  const items = page.map((r) => toMachine(r, tags.get(r.id) ?? []));
  return rows.length > filter.limit ? { items, next: page[page.length - 1]?.id } : { items };
}
