/** `nixfleet machines …`: the fleet inventory on a control plane. Tables for people, --json for automation. */
import type { Command } from "commander";
import type { Machine } from "../schemas/generated/machine.js";
import { UsageError } from "./errors.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

const COLUMNS = ["id", "hostName", "lifecycle", "tags", "lastState", "lastSeenAt"];
const collect = (v: string, acc: string[]) => [...acc, v];
const path = (id: string) => `/api/v1/machines/${encodeURIComponent(id)}`;

function showMachine(m: Machine): string {
  return table([m as unknown as Record<string, unknown>], [...COLUMNS, "currentStorePath"]);
}

export function registerMachinesCommand(program: Command): void {
  const machines = program
    .command("machines")
    .description("The fleet inventory: register, list, show, update, decommission");

  withRemoteOptions(
    machines
      .command("list")
      .description("List machines (every --tag must match)")
      .option("--tag <tag>", "filter by tag (repeatable)", collect, [] as string[])
      .option("--lifecycle <state>", "registered | active | maintenance | decommissioned")
      .option("--limit <n>", "page size", "200")
      .option("--all", "follow every page"),
  ).action(
    async (opts: RemoteOptions & { tag: string[]; lifecycle?: string; limit: string; all?: boolean }) => {
      const api = remoteClient(opts);
      const items: Machine[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<{ items: Machine[]; nextCursor?: string }>("/api/v1/machines", {
          tag: opts.tag,
          lifecycle: opts.lifecycle,
          limit: opts.limit,
          cursor,
        });
        items.push(...page.items);
        cursor = opts.all ? page.nextCursor : undefined;
      } while (cursor);
      output(opts, { items }, () => table(items as unknown as Record<string, unknown>[], COLUMNS));
    },
  );

  withRemoteOptions(
    machines.command("show").description("Show one machine").argument("<id>", "machine id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const m = await remoteClient(opts).get<Machine>(path(id));
    output(opts, m, () => showMachine(m));
  });

  withRemoteOptions(
    machines
      .command("register")
      .description("Register a machine")
      .argument("[id]", "machine id (default: generated mch_…)")
      .option("--host-name <name>", "host name in the flake / release (default: the id)")
      .option("--platform <platform>", "nixos | darwin")
      .option("--tag <tag>", "tag (repeatable)", collect, [] as string[]),
  ).action(
    async (
      id: string | undefined,
      opts: RemoteOptions & { hostName?: string; platform?: string; tag: string[] },
    ) => {
      const m = await remoteClient(opts).call<Machine>("POST", "/api/v1/machines", {
        ...(id ? { id } : {}),
        ...(opts.hostName ? { hostName: opts.hostName } : {}),
        ...(opts.platform ? { platform: opts.platform } : {}),
        ...(opts.tag.length ? { tags: opts.tag } : {}),
      });
      output(opts, m, () => showMachine(m));
    },
  );

  withRemoteOptions(
    machines
      .command("update")
      .description("Change lifecycle, host name or tags")
      .argument("<id>", "machine id")
      .option("--lifecycle <state>", "active | maintenance")
      .option("--host-name <name>", "host name in the flake / release")
      .option("--add-tag <tag>", "add a tag (repeatable)", collect, [] as string[])
      .option("--remove-tag <tag>", "remove a tag (repeatable)", collect, [] as string[]),
  ).action(
    async (
      id: string,
      opts: RemoteOptions & { lifecycle?: string; hostName?: string; addTag: string[]; removeTag: string[] },
    ) => {
      const change = {
        ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
        ...(opts.hostName ? { hostName: opts.hostName } : {}),
        ...(opts.addTag.length ? { addTags: opts.addTag } : {}),
        ...(opts.removeTag.length ? { removeTags: opts.removeTag } : {}),
      };
      if (Object.keys(change).length === 0)
        throw new UsageError("nothing to change: give --lifecycle, --host-name, --add-tag or --remove-tag");
      const m = await remoteClient(opts).call<Machine>("PATCH", path(id), change);
      output(opts, m, () => showMachine(m));
    },
  );

  withRemoteOptions(
    machines
      .command("decommission")
      .description("Decommission a machine (clears its desired generation, revokes its agent tokens)")
      .argument("<id>", "machine id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const m = await remoteClient(opts).call<Machine>("POST", `${path(id)}/decommission`);
    output(opts, m, () => `${m.id} decommissioned`);
  });

  withRemoteOptions(
    machines
      .command("desired")
      .description("Show the desired generation of a machine, or pin one with --store-path")
      .argument("<id>", "machine id")
      .option("--store-path <path>", "pin this toplevel (/nix/store/…)")
      .option("--release <id>", "the release the store path belongs to")
      .option("--clear", "keep what runs now (storePath null)"),
  ).action(
    async (id: string, opts: RemoteOptions & { storePath?: string; release?: string; clear?: boolean }) => {
      const api = remoteClient(opts);
      const desired =
        opts.storePath || opts.clear
          ? await api.call<Record<string, unknown>>("PUT", `${path(id)}/desired`, {
              storePath: opts.clear ? null : opts.storePath,
              ...(opts.release ? { releaseId: opts.release } : {}),
            })
          : await api.get<Record<string, unknown>>(`${path(id)}/desired`);
      output(opts, desired, () =>
        table([desired], ["machineId", "storePath", "releaseId", "rolloutId", "version", "updatedAt"]),
      );
    },
  );

  withRemoteOptions(
    machines
      .command("reports")
      .description("The machine's latest agent status reports")
      .argument("<id>", "machine id")
      .option("--limit <n>", "how many", "20"),
  ).action(async (id: string, opts: RemoteOptions & { limit: string }) => {
    const page = await remoteClient(opts).get<{ items: Record<string, unknown>[] }>(`${path(id)}/reports`, {
      limit: opts.limit,
    });
    output(opts, page, () =>
      table(page.items, ["seq", "reportedAt", "state", "storePath", "rolloutId", "reason"]),
    );
  });

  withRemoteOptions(
    machines
      .command("compliance")
      .description(
        "Latest compliance status of a machine (or of the fleet without an id), with evidence freshness",
      )
      .argument("[id]", "machine id"),
  ).action(async (id: string | undefined, opts: RemoteOptions) => {
    const api = remoteClient(opts);
    if (id) {
      const c = await api.get<{ status: string; controls: Record<string, unknown>[] }>(
        `/api/v1/compliance/machines/${encodeURIComponent(id)}`,
      );
      output(opts, c, () => `${id}: ${c.status}\n${table(c.controls, ["controlId", "status", "severity"])}`);
    } else {
      const f = await api.get<{ machines: Record<string, number>; perMachine: Record<string, unknown>[] }>(
        "/api/v1/compliance/fleet",
      );
      output(
        opts,
        f,
        () =>
          `${f.machines.total} machines: ${f.machines.compliant} compliant, ${f.machines.nonCompliant} non-compliant, ${f.machines.unknown} unknown\n${table(f.perMachine, ["machineId", "status"])}`,
      );
    }
  });
}
