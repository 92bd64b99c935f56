/**
 * Tag sync: a machine's tags come from two owners (docs/adr/0820-agent-tag-sync.md). Operators set tags with
 * `machines register --tag` and `machines update`; the machine's agent reports the tags its configuration
 * declares (`tags`, `services.nixfleet-agent.tags`) with every status report. Each tag row records its origin:
 *
 * - an agent report makes the agent-origin tags exactly the reported set: new ones are added, agent tags no
 *   longer reported are removed; operator tags are never touched, and a reported tag the operator already set
 *   stays an operator tag;
 * - an operator change edits operator tags only: `tags` replaces them, `addTags` adds (a tag already present,
 *   of either origin, is left as it is), and removing a tag the agent declares is refused (409), because the
 *   next report would bring it back: the configuration owns it.
 *
 * The computations here are pure; applyTagChange writes them.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { MachineUpdate } from "../../schemas/generated/machine-update.js";
import type { Db } from "../db/client.js";
import { machineTags } from "../db/schema/index.js";
import { Conflict, PreconditionFailed } from "../errors.js";

export type TagOrigin = "operator" | "agent";

export interface TagRow {
  tag: string;
  origin: TagOrigin;
}

export interface TagChange {
  add: string[];
  remove: string[];
}

/** The inventory's tag syntax (machine-register.schema.json#/$defs/tag). */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
/** At most this many tags per origin (the agent report and the operator's edits each allow 64). */
export const MAX_TAGS_PER_ORIGIN = 64;

/**
 * What an agent report changes. Reported tags that are not valid inventory tags (the agent's configuration
 * only limits their length) are ignored and listed, so the audit event says what was dropped.
 */
export function agentTagChange(
  current: readonly TagRow[],
  reported: readonly string[],
): TagChange & { ignored: string[] } {
  const valid = new Set<string>();
  const ignored = new Set<string>();
  for (const tag of reported) (TAG_PATTERN.test(tag) ? valid : ignored).add(tag);
  const present = new Set(current.map((r) => r.tag));
  return {
    add: [...valid].filter((t) => !present.has(t)).sort(),
    remove: current
      .filter((r) => r.origin === "agent" && !valid.has(r.tag))
      .map((r) => r.tag)
      .sort(),
    ignored: [...ignored].sort(),
  };
}

/** What an operator's PATCH changes; throws Conflict when it removes a tag the agent declares. */
export function operatorTagChange(
  current: readonly TagRow[],
  change: Pick<MachineUpdate, "tags" | "addTags" | "removeTags">,
): TagChange {
  const agentOwned = new Set(current.filter((r) => r.origin === "agent").map((r) => r.tag));
  const declared = (change.removeTags ?? []).filter((t) => agentOwned.has(t));
  if (declared.length > 0)
    throw new Conflict(
      `${declared.join(", ")} ${declared.length === 1 ? "is" : "are"} declared by the machine's agent configuration; remove ${declared.length === 1 ? "it" : "them"} there (agent config tags)`,
      { agentTags: declared },
    );
  const operatorTags = current.filter((r) => r.origin === "operator").map((r) => r.tag);
  const next = new Set(change.tags ?? operatorTags);
  for (const t of change.addTags ?? []) next.add(t);
  for (const t of change.removeTags ?? []) next.delete(t);
  // a tag the agent declares stays the agent's: naming it again is not a new operator tag
  for (const t of agentOwned) next.delete(t);
  if (next.size > MAX_TAGS_PER_ORIGIN)
    throw new PreconditionFailed(`a machine carries at most ${MAX_TAGS_PER_ORIGIN} operator-set tags`);
  const present = new Set(current.map((r) => r.tag));
  return {
    add: [...next].filter((t) => !present.has(t)).sort(),
    remove: operatorTags.filter((t) => !next.has(t)).sort(),
  };
}

/** The machine's tag rows. */
export function tagRows(db: Db, machineId: string): TagRow[] {
  return db.orm
    .select({ tag: machineTags.tag, origin: machineTags.origin })
    .from(machineTags)
    .where(eq(machineTags.machineId, machineId))
    .all();
}

/** Writes a change (inside the caller's transaction); new tags get `origin`. */
export function applyTagChange(db: Db, machineId: string, change: TagChange, origin: TagOrigin): void {
  if (change.remove.length)
    db.orm
      .delete(machineTags)
      .where(and(eq(machineTags.machineId, machineId), inArray(machineTags.tag, change.remove)))
      .run();
  for (const tag of change.add) db.orm.insert(machineTags).values({ machineId, tag, origin }).run();
}

export const isEmptyChange = (c: TagChange) => c.add.length === 0 && c.remove.length === 0;
