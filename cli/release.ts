/**
 * `nixfleet release create|list|show|diff|delete`. `create` takes a manifest file, or builds the manifest from a
 * flake: per host the toplevel store path and facts from `nix eval`, and eval-time evidence from the controls.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import type { Command } from "commander";
import { evaluateHost, selectControls, withLockAge } from "../controls/index.js";
import type { Facts } from "../schemas/generated/facts.js";
import type { ReleaseManifest } from "../schemas/generated/release-manifest.js";
import { validate } from "../schemas/registry.js";
import { UsageError } from "./errors.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

const run = promisify(execFile);

interface ReleaseSummary {
  id: string;
  sha256: string;
  createdAt: string;
  hosts: { host: string; toplevel: string; failing: number }[];
  source?: { flake?: string; revision?: string } | null;
}

/** Reads and validates a manifest file (exit 2 naming the file and JSON path when it is wrong). */
export function readManifest(file: string): ReleaseManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--manifest ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return validate<ReleaseManifest>("release-manifest", parsed, file);
}

const NIX_APPLY = `cs: builtins.mapAttrs (name: c: {
  toplevel = c.config.system.build.toplevel.outPath;
  facts = c.config.nixfleet.compliance.facts or null;
}) cs`;

/** Builds a manifest from a flake's nixosConfigurations with `nix eval` (no build: only the toplevel's path). */
export async function manifestFromFlake(
  flake: string,
  hosts: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReleaseManifest> {
  let stdout: string;
  try {
    ({ stdout } = await run("nix", ["eval", "--json", `${flake}#nixosConfigurations`, "--apply", NIX_APPLY], {
      env,
      maxBuffer: 256 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new UsageError(
      `nix eval of ${flake}#nixosConfigurations failed: ${(e.stderr ?? e.message).trim().slice(-2000)}`,
    );
  }
  const evaluated = JSON.parse(stdout) as Record<string, { toplevel: string; facts: Facts | null }>;
  const wanted = hosts.length ? hosts : Object.keys(evaluated).sort();
  const manifest: ReleaseManifest = { hosts: {}, source: { flake } };
  const controls = selectControls();
  // facts from mkHost carry the flake lock's date, not its age: the age is taken now, as compliance-check does
  const now = new Date();
  for (const host of wanted) {
    const entry = evaluated[host];
    if (!entry) throw new UsageError(`${flake} has no nixosConfigurations.${host}`);
    manifest.hosts[host] = {
      toplevel: entry.toplevel,
      ...(entry.facts ? { facts: entry.facts } : {}),
      evalEvidence: entry.facts
        ? evaluateHost(host, withLockAge(entry.facts, now), controls).map((r) =>
            // as compliance-check does: facts without their own collection time (mkHost facts: Nix has no clock
            // at evaluation) were collected now, by this evaluation; left undated, the gate would count every
            // result as missing evidence, which no waiver can cover
            r.collectedAt === undefined ? { ...r, collectedAt: now.toISOString() } : r,
          )
        : [],
    };
  }
  try {
    const { stdout: meta } = await run("nix", ["flake", "metadata", "--json", flake], { env });
    const revision = (JSON.parse(meta) as { revision?: string }).revision;
    if (revision && manifest.source) manifest.source.revision = revision;
  } catch {
    // a dirty or path flake has no revision: the manifest simply does not name one
  }
  return validate<ReleaseManifest>("release-manifest", manifest, `manifest built from ${flake}`);
}

const rel = (id: string) => `/api/v1/releases/${encodeURIComponent(id)}`;

function summaryRows(items: ReleaseSummary[]): Record<string, unknown>[] {
  return items.map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    hosts: r.hosts.length,
    failing: r.hosts.reduce((n, h) => n + h.failing, 0),
    flake: r.source?.flake,
  }));
}

export function registerReleaseCommand(program: Command): void {
  const release = program.command("release").description("Immutable, content-addressed releases");

  withRemoteOptions(
    release
      .command("create")
      .description("Record a release from a manifest file or a flake (--flake)")
      .option("--manifest <file>", "release manifest (schemas/release-manifest.schema.json)")
      .option("--flake <ref>", "build the manifest from this flake's nixosConfigurations")
      .option(
        "--host <name>",
        "only this host (repeatable, with --flake)",
        (v: string, a: string[]) => [...a, v],
        [] as string[],
      )
      .option("--dry-run", "print the manifest instead of sending it"),
  ).action(
    async (opts: RemoteOptions & { manifest?: string; flake?: string; host: string[]; dryRun?: boolean }) => {
      if (!opts.manifest === !opts.flake)
        throw new UsageError("give exactly one of --manifest FILE or --flake REF");
      const manifest = opts.manifest
        ? readManifest(opts.manifest)
        : await manifestFromFlake(opts.flake ?? "", opts.host);
      if (opts.dryRun) {
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
        return;
      }
      const created = await remoteClient(opts).call<ReleaseSummary>("POST", "/api/v1/releases", manifest);
      output(
        opts,
        created,
        () =>
          `release ${created.id}\n${table(created.hosts as unknown as Record<string, unknown>[], ["host", "toplevel", "failing"])}`,
      );
    },
  );

  withRemoteOptions(
    release.command("list").description("Releases, newest first").option("--limit <n>", "how many", "50"),
  ).action(async (opts: RemoteOptions & { limit: string }) => {
    const page = await remoteClient(opts).get<{ items: ReleaseSummary[] }>("/api/v1/releases", {
      limit: opts.limit,
    });
    output(opts, page, () =>
      table(summaryRows(page.items), ["id", "createdAt", "hosts", "failing", "flake"]),
    );
  });

  withRemoteOptions(
    release.command("show").description("A release and its hosts").argument("<id>", "release id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const r = await remoteClient(opts).get<ReleaseSummary>(rel(id));
    output(
      opts,
      r,
      () =>
        `release ${r.id} (sha256 ${r.sha256})\n${table(r.hosts as unknown as Record<string, unknown>[], ["host", "toplevel", "failing"])}`,
    );
  });

  withRemoteOptions(
    release
      .command("diff")
      .description("What changes from release A to release B")
      .argument("<a>", "release id")
      .argument("<b>", "release id"),
  ).action(async (a: string, b: string, opts: RemoteOptions) => {
    const d = await remoteClient(opts).get<{
      added: { host: string; toplevel: string }[];
      removed: { host: string; toplevel: string }[];
      changed: {
        host: string;
        fromToplevel: string;
        toToplevel: string;
        controls: { controlId: string; from: string | null; to: string | null }[];
      }[];
      unchanged: string[];
    }>(`${rel(a)}/diff/${encodeURIComponent(b)}`);
    output(opts, d, () =>
      [
        ...d.added.map((h) => `+ ${h.host} ${h.toplevel}`),
        ...d.removed.map((h) => `- ${h.host} ${h.toplevel}`),
        ...d.changed.flatMap((h) => [
          `~ ${h.host} ${h.fromToplevel} -> ${h.toToplevel}`,
          ...h.controls.map((c) => `    ${c.controlId}: ${c.from ?? "-"} -> ${c.to ?? "-"}`),
        ]),
        `${d.unchanged.length} host(s) unchanged`,
      ].join("\n"),
    );
  });

  withRemoteOptions(
    release.command("delete").description("Delete a release nothing uses").argument("<id>", "release id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const r = await remoteClient(opts).call<{ id: string }>("DELETE", rel(id));
    output(opts, r, () => `release ${r.id} deleted`);
  });
}
