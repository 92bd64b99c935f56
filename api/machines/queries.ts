/** Reads of machines (no mutation, no audit): one machine, and filtered cursor pages. */
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import type { Machine } from "../../schemas/generated/machine.js";
import type { Db } from "../db/client.js";
import { machines, machineTags } from "../db/schema/index.js";
import { NotFound } from "../errors.js";

type MachineRow = typeof machines.$inferSelect;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A machine's tags, and those of them its agent declares (the rest were set by operators). */
export interface MachineTags {
  tags: string[];
  agentTags: string[];
}

const NO_TAGS: MachineTags = { tags: [], agentTags: [] };

export function toMachine(row: MachineRow, tags: MachineTags = NO_TAGS): Machine {
  return {
    id: row.id,
    hostName: row.hostName,
    platform: row.platform ?? null,
    lifecycle: row.lifecycle,
    tags: [...tags.tags].sort(),
    // only when the agent declares some: machines without agent tags look as they always did
    ...(tags.agentTags.length > 0 ? { agentTags: [...tags.agentTags].sort() } : {}),
    registeredAt: new Date(row.registeredAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    lastSeenAt: iso(row.lastSeenAt),
    lastState: row.lastState,
    currentStorePath: row.currentStorePath,
  };
}

function tagsOf(db: Db, ids: string[]): Map<string, MachineTags> {
  const out = new Map<string, MachineTags>(ids.map((id) => [id, { tags: [], agentTags: [] }]));
  if (ids.length === 0) return out;
  for (const t of db.orm.select().from(machineTags).where(inArray(machineTags.machineId, ids)).all()) {
    const entry = out.get(t.machineId);
    if (!entry) continue;
    entry.tags.push(t.tag);
    if (t.origin === "agent") entry.agentTags.push(t.tag);
  }
  return out;
}

export function findMachine(db: Db, id: string): Machine | undefined {
  const row = db.orm.select().from(machines).where(eq(machines.id, id)).get();
  return row ? toMachine(row, tagsOf(db, [id]).get(id)) : undefined;
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
  const items = page.map((r) => toMachine(r, tags.get(r.id)));
  return rows.length > filter.limit ? { items, next: page[page.length - 1]?.id } : { items };
}
