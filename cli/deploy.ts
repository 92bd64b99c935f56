/**
 * `nixfleet deploy --ssh` and `nixfleet rollback --ssh`: direct SSH mode, for fleets without a control plane
 * (or hosts outside it). The logic lives in deploy/; this file turns flags into plans and outcomes into output.
 */
import type { Command } from "commander";
import {
  type CommonSettings,
  DeployInputError,
  inParallel,
  loadHealthChecksFile,
  loadHostsFile,
  planHosts,
  summarise,
} from "../deploy/fleet.js";
import {
  deployHost,
  type HostOutcome,
  type HostRunOptions,
  rollbackHost,
  type StepName,
} from "../deploy/host.js";
import { runningStorePath } from "../deploy/report.js";
import type { SshDeployResult } from "../schemas/generated/ssh-deploy-result.js";
import { CheckFailed, UsageError } from "./errors.js";
import { type RemoteClient, RemoteError, remoteClient } from "./remote.js";

interface SshCliOptions {
  ssh: string[];
  hosts?: string;
  port?: string;
  identity?: string;
  knownHosts?: string;
  sshOption: string[];
  profile?: string;
  activate?: string;
  healthChecks?: string;
  healthTimeout?: string;
  parallel: string;
  json?: boolean;
  commandTimeout: string;
  activateTimeout: string;
  copyTimeout: string;
  reportTo?: string;
  token?: string;
  ca?: string;
}

interface DeployCliOptions extends SshCliOptions {
  flake?: string;
  path?: string;
}

interface RollbackCliOptions extends SshCliOptions {
  generation?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function addSshOptions(command: Command): Command {
  return command
    .option("--ssh <user@host[:port]>", "host to act on (repeatable)", collect, [])
    .option(
      "--hosts <file>",
      "hosts file (JSON or YAML, schema ssh-deploy-hosts) listing hosts and their settings",
    )
    .option("--port <port>", "ssh port for every host without its own")
    .option("--identity <file>", "ssh private key (ssh -i)")
    .option("--known-hosts <file>", "known_hosts file to trust (host keys are always checked)")
    .option("--ssh-option <Key=Value>", "further ssh -o option (repeatable)", collect, [])
    .option("--profile <path>", "Nix profile on the host (default /nix/var/nix/profiles/system)")
    .option(
      "--activate <command>",
      "activation command line on the host, {path} = store path (default: {path}/bin/switch-to-configuration switch)",
    )
    .option(
      "--health-checks <file>",
      "health checks (JSON or YAML array, schema health-check) for every host",
    )
    .option("--health-timeout <ms>", "all health checks of a host must finish within this (default 60000)")
    .option("--parallel <n>", "hosts worked on at the same time", "4")
    .option("--command-timeout <ms>", "limit for one remote command", "60000")
    .option("--activate-timeout <ms>", "limit for the activation command", "600000")
    .option("--copy-timeout <ms>", "limit for nix copy and nix build", "1800000")
    .option("--report-to <url>", "control plane to tell what was deployed (with --token or NIXFLEET_TOKEN)")
    .option("--token <token>", "operator token for --report-to (env NIXFLEET_TOKEN)")
    .option("--ca <file>", "CA certificate of the control plane for --report-to (env NIXFLEET_CA)")
    .option("--json", "print the outcome as JSON (schema ssh-deploy-result)");
}

function commonSettings(options: SshCliOptions): CommonSettings {
  const port = positiveInt("--port", options.port);
  const healthTimeoutMs = positiveInt("--health-timeout", options.healthTimeout);
  const bad = options.sshOption.find((o) => !/^[A-Za-z]+=\S+$/.test(o));
  if (bad) throw new UsageError(`--ssh-option "${bad}" is not Key=Value`);
  return {
    ...(port !== undefined ? { port } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.knownHosts ? { knownHosts: options.knownHosts } : {}),
    ...(options.sshOption.length > 0 ? { sshOptions: options.sshOption } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.activate ? { activate: options.activate } : {}),
    ...(options.healthChecks ? { healthChecks: loadHealthChecksFile(options.healthChecks) } : {}),
    ...(healthTimeoutMs !== undefined ? { healthTimeoutMs } : {}),
  };
}

function runOptions(options: SshCliOptions, json: boolean): HostRunOptions {
  const progress = (host: string, step: StepName, status: string, message?: string) => {
    // Progress goes to stderr so stdout stays the result (a table, or JSON with --json).
    if (!json) process.stderr.write(`[${host}] ${step}: ${status}${message ? ` — ${message}` : ""}\n`);
  };
  return {
    env: process.env,
    commandTimeoutMs: positiveInt("--command-timeout", options.commandTimeout)!,
    activateTimeoutMs: positiveInt("--activate-timeout", options.activateTimeout)!,
    copyTimeoutMs: positiveInt("--copy-timeout", options.copyTimeout)!,
    onStep: progress,
  };
}

function printResult(result: SshDeployResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const rows = result.hosts.map((h) => [
    h.host,
    h.target,
    h.status,
    h.generation?.toString() ?? "-",
    h.message,
  ]);
  const header = ["HOST", "TARGET", "STATUS", "GEN", "MESSAGE"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
  const s = result.summary;
  process.stdout.write(
    `${s.total} host(s): ${s.deployed} deployed, ${s.rolledBack} rolled back, ${s.failed} failed\n`,
  );
}

/** Sets the host's desired generation on the control plane to what it now runs; the outcome records how that went. */
async function withReport(
  outcome: HostOutcome,
  client: RemoteClient | null,
  operation: SshDeployResult["operation"],
): Promise<HostOutcome> {
  if (!client) return outcome;
  const path = `/api/v1/machines/${encodeURIComponent(outcome.host)}/desired`;
  const url = new URL(
    path.slice(1),
    client.baseUrl.href.endsWith("/") ? client.baseUrl : `${client.baseUrl.href}/`,
  ).href;
  const storePath = runningStorePath(outcome, operation);
  const started = Date.now();
  let reported: NonNullable<HostOutcome["reported"]>;
  if (storePath === null) {
    reported = { url, ok: false, message: "not reported: the host's running generation is unknown" };
  } else {
    try {
      await client.call("PUT", path, { storePath });
      reported = { url, ok: true, status: 200, message: `desired generation set to ${storePath}` };
    } catch (err) {
      // An unreachable or refusing control plane must not undo the deploy; it is recorded and fails the run.
      reported = {
        url,
        ok: false,
        ...(err instanceof RemoteError ? { status: err.status } : {}),
        message: (err as Error).message,
      };
    }
  }
  const steps = [
    ...outcome.steps,
    {
      step: "report" as const,
      status: reported.ok ? ("ok" as const) : ("failed" as const),
      durationMs: Date.now() - started,
      ...(reported.message ? { message: reported.message } : {}),
    },
  ];
  return { ...outcome, steps, reported };
}

function wrapInputErrors<T>(body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof DeployInputError) throw new UsageError(err.message);
    throw err;
  }
}

async function runSsh(
  operation: SshDeployResult["operation"],
  options: DeployCliOptions | RollbackCliOptions,
  work: (planned: ReturnType<typeof planHosts>[number], run: HostRunOptions) => Promise<HostOutcome>,
): Promise<void> {
  const json = options.json === true;
  const parallel = positiveInt("--parallel", options.parallel)!;
  if (options.reportTo && !(options.token ?? process.env.NIXFLEET_TOKEN))
    throw new UsageError("--report-to needs --token or NIXFLEET_TOKEN");
  const client = options.reportTo
    ? remoteClient({
        server: options.reportTo,
        ...(options.token ? { token: options.token } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      })
    : null;
  const planned = wrapInputErrors(() => {
    const hostsFile = options.hosts ? loadHostsFile(options.hosts) : null;
    const common: CommonSettings = commonSettings(options);
    if (operation === "deploy") {
      const d = options as DeployCliOptions;
      if (d.flake) common.flake = d.flake;
      if (d.path) common.path = d.path;
    }
    return planHosts(options.ssh, hostsFile, common, operation === "deploy");
  });
  const run = runOptions(options, json);
  const startedAt = new Date();
  const outcomes = await inParallel(planned, parallel, async (host) =>
    withReport(await work(host, run), client, operation),
  );
  const result = summarise(operation, startedAt, outcomes);
  printResult(result, json);
  const succeeded = operation === "deploy" ? result.summary.deployed : result.summary.rolledBack;
  if (succeeded < result.summary.total)
    throw new CheckFailed(
      `${operation}: ${result.summary.total - succeeded} of ${result.summary.total} host(s) did not succeed`,
      json,
    );
  const unreported = outcomes.filter((o) => o.reported && !o.reported.ok).map((o) => o.host);
  if (unreported.length > 0)
    throw new CheckFailed(
      `${operation} done, but the control plane was not told about ${unreported.join(", ")}`,
      json,
    );
}

export function registerDeployCommand(program: Command): void {
  addSshOptions(
    program
      .command("deploy")
      .description(
        "Deploy a system directly over ssh, without a control plane: copy the closure (nix copy), set the profile " +
          "(nix-env --set), activate, run the host's health checks, and roll back to the previous generation when " +
          "activation or a health check fails. Exit 0 when every host is deployed and healthy, 1 otherwise.",
      )
      .option(
        "--flake <ref>",
        "build REF#host's nixosConfigurations.<host>.config.system.build.toplevel (REF alone: each host by name)",
      )
      .option("--path <store-path>", "deploy this store path (already in the local store)"),
  ).action(async (options: DeployCliOptions) => {
    if (!options.flake && !options.path && !options.hosts)
      throw new UsageError("nothing to deploy: give --flake REF#host or --path STORE_PATH");
    await runSsh("deploy", options, (host, run) => deployHost(host.plan, host.source!, run));
  });

  addSshOptions(
    program
      .command("rollback")
      .description(
        "Roll hosts back over ssh: switch the profile to the previous generation (or --generation N), activate it, " +
          "and run the host's health checks. Exit 0 when every host is back and healthy, 1 otherwise.",
      )
      .option("--generation <n>", "profile generation to switch to (default: the one before the current)"),
  ).action(async (options: RollbackCliOptions) => {
    const generation = positiveInt("--generation", options.generation);
    await runSsh("rollback", options, (host, run) => rollbackHost(host.plan, generation, run));
  });
}
