/**
 * Several hosts at once: turning the command line and an optional hosts file into per-host plans, running
 * them with a limit on how many are in flight, and summarising the outcomes.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { HealthCheck } from "../schemas/generated/health-check.js";
import type { SshDeployHosts, SshHost, SshHostDefaults } from "../schemas/generated/ssh-deploy-hosts.js";
import type { SshDeployResult } from "../schemas/generated/ssh-deploy-result.js";
import { validate } from "../schemas/registry.js";
import {
  DEFAULT_ACTIVATE,
  DEFAULT_PROFILE,
  type HostOutcome,
  type HostPlan,
  type SystemSource,
} from "./host.js";
import { parseSshTarget } from "./ssh.js";

/** Input that cannot be used (a bad target, a missing source); the CLI turns it into exit 2. */
export class DeployInputError extends Error {
  override name = "DeployInputError";
}

/** Reads a hosts file (JSON or YAML by extension, else tried as JSON then YAML) and validates it. */
export function loadHostsFile(file: string): SshDeployHosts {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DeployInputError(
      `${file}: cannot read hosts file: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    if (/\.json$/i.test(file))
      throw new DeployInputError(`${file}: not valid JSON: ${(err as Error).message}`);
    try {
      data = parseYaml(text);
    } catch (yamlErr) {
      throw new DeployInputError(`${file}: neither JSON nor YAML: ${(yamlErr as Error).message}`);
    }
  }
  const hosts = validate<SshDeployHosts>("ssh-deploy-hosts", data, file);
  if (hosts.hosts.length === 0) throw new DeployInputError(`${file}: /hosts is empty`);
  return hosts;
}

/** Reads a JSON or YAML file holding an array of health checks. */
export function loadHealthChecksFile(file: string): HealthCheck[] {
  let data: unknown;
  try {
    const text = readFileSync(file, "utf8");
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new DeployInputError(`${file}: cannot read health checks: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new DeployInputError(`${file}: expected an array of health checks at /`);
  return data.map((c, i) => validate<HealthCheck>("health-check", c, `${file} at /${i}`));
}

/** What the command line says, applied to every host unless the hosts file says otherwise per host. */
export interface CommonSettings extends SshHostDefaults {
  /** `--flake REF` or `REF#host` */
  flake?: string;
  /** `--path STORE_PATH` */
  path?: string;
}

export interface PlannedHost {
  plan: HostPlan;
  /** for deploys: where the system comes from (absent for rollbacks) */
  source: SystemSource | null;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

/** The flake attribute for a host: `REF#attr` names it, a bare `REF` uses the host name. */
export function flakeSource(flake: string, hostName: string): SystemSource {
  const hash = flake.indexOf("#");
  if (hash < 0) return { kind: "flake", flake, attr: hostName };
  const attr = flake.slice(hash + 1);
  if (!attr) throw new DeployInputError(`--flake ${flake}: empty attribute after #`);
  return { kind: "flake", flake: flake.slice(0, hash) || ".", attr };
}

/**
 * Per-host plans from `--ssh` targets and/or a hosts file. Precedence: the host's own entry, then the command
 * line, then the file's defaults, then built-in defaults. `needSource` is false for rollbacks.
 */
export function planHosts(
  sshTargets: string[],
  hostsFile: SshDeployHosts | null,
  common: CommonSettings,
  needSource: boolean,
): PlannedHost[] {
  const entries: SshHost[] = [...(hostsFile?.hosts ?? []), ...sshTargets.map((ssh) => ({ ssh }))];
  if (entries.length === 0)
    throw new DeployInputError("no hosts: give --ssh USER@HOST (repeatable) or --hosts FILE");
  if (common.flake && common.path) throw new DeployInputError("give either --flake or --path, not both");
  const defaults = hostsFile?.defaults ?? {};
  const seen = new Set<string>();
  return entries.map((entry) => {
    const target = parseSshTarget(entry.ssh);
    if (typeof target === "string") throw new DeployInputError(target);
    const name = entry.name ?? target.host.replace(/^\[|\]$/g, "");
    if (seen.has(name)) throw new DeployInputError(`host ${name} is listed twice`);
    seen.add(name);
    const pick = <K extends keyof SshHostDefaults>(key: K): SshHostDefaults[K] =>
      entry[key] ?? common[key] ?? defaults[key];
    const port = target.port ?? pick("port");
    const identity = pick("identity");
    const knownHosts = pick("knownHosts");
    const plan: HostPlan = {
      name,
      endpoint: {
        user: target.user,
        host: target.host,
        ...(port !== undefined ? { port } : {}),
        ...(identity !== undefined ? { identity } : {}),
        ...(knownHosts !== undefined ? { knownHosts } : {}),
        options: [...(defaults.sshOptions ?? []), ...(common.sshOptions ?? []), ...(entry.sshOptions ?? [])],
      },
      profile: pick("profile") ?? DEFAULT_PROFILE,
      activate: pick("activate") ?? DEFAULT_ACTIVATE,
      healthChecks: pick("healthChecks") ?? [],
      healthTimeoutMs: pick("healthTimeoutMs") ?? DEFAULT_HEALTH_TIMEOUT_MS,
    };
    if (!needSource) return { plan, source: null };
    const path = entry.path ?? (entry.flake ? undefined : common.path);
    const flake = entry.flake ?? (entry.path ? undefined : common.flake);
    let source: SystemSource;
    if (path) source = { kind: "path", path };
    else if (flake) source = flakeSource(flake, name);
    else
      throw new DeployInputError(
        `host ${name}: nothing to deploy; give --flake REF#host or --path STORE_PATH`,
      );
    return { plan, source };
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The --json document for a run. */
export function summarise(
  operation: SshDeployResult["operation"],
  startedAt: Date,
  hosts: HostOutcome[],
): SshDeployResult {
  return {
    operation,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    hosts,
    summary: {
      total: hosts.length,
      deployed: hosts.filter((h) => h.status === "deployed").length,
      rolledBack: hosts.filter((h) => h.status === "rolled-back").length,
      failed: hosts.filter((h) => h.status === "failed").length,
    },
  };
}
