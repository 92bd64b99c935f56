/**
 * One host, directly over ssh: copy the closure, set the profile, activate, check health, and roll back to the
 * previous generation when activation or health fails. The same steps an agent takes (DESIGN "Applying a
 * generation"), driven from the deployer's machine instead of the host.
 */
import { type CommandOutcome, describeFailure, runCommand } from "../agent/exec.js";
import type { HealthCheck } from "../schemas/generated/health-check.js";
import type { SshDeployResult } from "../schemas/generated/ssh-deploy-result.js";
import { validate } from "../schemas/registry.js";
import { type HostHealth, runHostHealthChecks } from "./health.js";
import {
  describeEndpoint,
  isSshFailure,
  nixSshOpts,
  runRemote,
  type SshEndpoint,
  shellQuote,
  sshDestination,
} from "./ssh.js";

export type HostOutcome = SshDeployResult["hosts"][number];
export type StepName = HostOutcome["steps"][number]["step"];
type StepStatus = HostOutcome["steps"][number]["status"];

export const DEFAULT_PROFILE = "/nix/var/nix/profiles/system";
export const DEFAULT_ACTIVATE = "{path}/bin/switch-to-configuration switch";

/** Where a host's new system comes from. */
export type SystemSource = { kind: "path"; path: string } | { kind: "flake"; flake: string; attr: string };

/** Everything needed to act on one host. */
export interface HostPlan {
  name: string;
  endpoint: SshEndpoint;
  profile: string;
  /** activation command line; `{path}` is replaced by the (quoted) store path */
  activate: string;
  healthChecks: HealthCheck[];
  healthTimeoutMs: number;
}

export interface HostRunOptions {
  env: NodeJS.ProcessEnv;
  /** limit for one remote command (inspect, nix-env) */
  commandTimeoutMs: number;
  /** limit for the activation command */
  activateTimeoutMs: number;
  /** limit for `nix copy` and flake builds */
  copyTimeoutMs: number;
  onStep?: (host: string, step: StepName, status: StepStatus, message?: string) => void;
}

/** The profile's current generation and store path on the host (null when the profile does not exist). */
interface ProfileState {
  generation: number | null;
  storePath: string | null;
}

/** Records steps with their timings as a host's outcome is built. */
class StepLog {
  readonly steps: HostOutcome["steps"] = [];
  constructor(
    private readonly host: string,
    private readonly onStep: HostRunOptions["onStep"],
  ) {}

  async run<T>(step: StepName, body: () => Promise<T | StepFailure>): Promise<T | StepFailure> {
    const started = Date.now();
    const value = await body();
    const durationMs = Date.now() - started;
    if (value instanceof StepFailure) {
      this.steps.push({ step, status: "failed", durationMs, message: value.message });
      this.onStep?.(this.host, step, "failed", value.message);
    } else {
      const message = typeof value === "string" ? value : undefined;
      this.steps.push({ step, status: "ok", durationMs, ...(message ? { message } : {}) });
      this.onStep?.(this.host, step, "ok", message);
    }
    return value;
  }

  skip(step: StepName, message: string): void {
    this.steps.push({ step, status: "skipped", durationMs: 0, message });
    this.onStep?.(this.host, step, "skipped", message);
  }
}

/** A step that did not work, with the reason a person should read. */
export class StepFailure {
  constructor(
    readonly message: string,
    /** set when the step was the health checks, so the outcome can carry their results */
    readonly health?: HostHealth,
  ) {}
}

function failure(what: string, endpoint: SshEndpoint, argv: string[], out: CommandOutcome): StepFailure {
  if (isSshFailure(out)) {
    const reason = (out.stderr.trim().split("\n").pop() ?? "").trim();
    return new StepFailure(
      `${what}: cannot reach ${describeEndpoint(endpoint)} over ssh${reason ? `: ${reason}` : ""}`,
    );
  }
  return new StepFailure(`${what}: ${describeFailure(argv, out)}`);
}

/** The activation command line for a store path. */
export function activationLine(template: string, storePath: string): string {
  return template.split("{path}").join(shellQuote(storePath));
}

/** Builds the flake attribute (or checks the store path exists locally) and returns the store path. */
export async function resolveSource(
  source: SystemSource,
  options: Pick<HostRunOptions, "env" | "copyTimeoutMs">,
): Promise<string | StepFailure> {
  if (source.kind === "path") {
    const argv = ["nix-store", "--query", "--hash", source.path];
    const out = await runCommand(argv, { env: options.env, timeoutMs: options.copyTimeoutMs });
    if (out.code !== 0) return new StepFailure(`${source.path} is not a valid path in the local Nix store`);
    return source.path;
  }
  const installable = `${source.flake}#nixosConfigurations.${JSON.stringify(source.attr)}.config.system.build.toplevel`;
  const argv = ["nix", "build", "--no-link", "--json", installable];
  const out = await runCommand(argv, { env: options.env, timeoutMs: options.copyTimeoutMs });
  if (out.code !== 0) return new StepFailure(`building ${installable}: ${describeFailure(argv, out)}`);
  try {
    const built = JSON.parse(out.stdout) as { outputs?: { out?: string } }[];
    const path = built[0]?.outputs?.out;
    if (path) return path;
  } catch {
    // fall through: nix printed something we do not understand
  }
  return new StepFailure(`nix build ${installable} did not print an output path`);
}

/**
 * The health checks a flake host declares for its agent (`services.nixfleet-agent.healthChecks`), so a direct
 * deploy checks what a governed rollout would; a host without the agent module declares none.
 */
export async function flakeHealthChecks(
  source: Extract<SystemSource, { kind: "flake" }>,
  options: Pick<HostRunOptions, "env" | "copyTimeoutMs">,
): Promise<HealthCheck[] | StepFailure> {
  const installable = `${source.flake}#nixosConfigurations.${JSON.stringify(source.attr)}.config`;
  const apply =
    "c: if c ? services && c.services ? nixfleet-agent && c.services.nixfleet-agent ? healthChecks then c.services.nixfleet-agent.healthChecks else []";
  const argv = ["nix", "eval", "--json", installable, "--apply", apply];
  const out = await runCommand(argv, { env: options.env, timeoutMs: options.copyTimeoutMs });
  if (out.code !== 0)
    return new StepFailure(`reading health checks of ${installable}: ${describeFailure(argv, out)}`);
  try {
    const checks = JSON.parse(out.stdout) as unknown;
    if (!Array.isArray(checks)) return new StepFailure(`${installable}: healthChecks is not a list`);
    return checks.map((c, i) => validate<HealthCheck>("health-check", c, `${installable} healthChecks/${i}`));
  } catch (err) {
    return new StepFailure((err as Error).message);
  }
}

/** `nix copy --to ssh://…` of the closure; returns how many paths were sent. */
async function copyClosure(
  endpoint: SshEndpoint,
  storePath: string,
  options: HostRunOptions,
): Promise<number | StepFailure> {
  let sshOpts: string;
  try {
    sshOpts = nixSshOpts(endpoint);
  } catch (err) {
    return new StepFailure((err as Error).message);
  }
  const argv = ["nix", "copy", "--to", `ssh://${sshDestination(endpoint)}`, storePath];
  const out = await runCommand(argv, {
    env: { ...options.env, NIX_SSHOPTS: sshOpts },
    timeoutMs: options.copyTimeoutMs,
  });
  if (out.code !== 0) return new StepFailure(`copying the closure: ${describeFailure(argv, out)}`);
  const copied = /copying (\d+) paths/.exec(out.stderr);
  return copied ? Number(copied[1]) : 0;
}

/** Reads the profile's generation (from its `<name>-<N>-link` target) and store path on the host. */
async function inspectProfile(plan: HostPlan, options: HostRunOptions): Promise<ProfileState | StepFailure> {
  const p = shellQuote(plan.profile);
  const command = `if [ -L ${p} ]; then readlink ${p}; readlink -f ${p}; fi`;
  const out = await runRemote(plan.endpoint, command, {
    env: options.env,
    timeoutMs: options.commandTimeoutMs,
  });
  if (out.code !== 0) return failure("reading the profile", plan.endpoint, ["sh", "-c", command], out);
  return parseProfileState(out.stdout);
}

/** Parses `readlink P; readlink -f P` output. */
export function parseProfileState(stdout: string): ProfileState {
  const [link, target] = stdout.trim().split("\n");
  if (!link || !target) return { generation: null, storePath: null };
  const gen = /-(\d+)-link$/.exec(link.trim());
  return { generation: gen ? Number(gen[1]) : null, storePath: target.trim() };
}

/** Runs a profile command (`nix-env -p P …`) and returns the profile's state after it. */
async function changeProfile(
  plan: HostPlan,
  nixEnvArgs: string[],
  what: string,
  options: HostRunOptions,
): Promise<ProfileState | StepFailure> {
  const p = shellQuote(plan.profile);
  const command = `nix-env -p ${p} ${nixEnvArgs.map(shellQuote).join(" ")} && readlink ${p} && readlink -f ${p}`;
  const out = await runRemote(plan.endpoint, command, {
    env: options.env,
    timeoutMs: options.commandTimeoutMs,
  });
  if (out.code !== 0)
    return failure(what, plan.endpoint, ["nix-env", "-p", plan.profile, ...nixEnvArgs], out);
  return parseProfileState(out.stdout);
}

async function activate(
  plan: HostPlan,
  storePath: string,
  options: HostRunOptions,
): Promise<string | StepFailure> {
  const line = activationLine(plan.activate, storePath);
  const out = await runRemote(plan.endpoint, line, {
    env: options.env,
    timeoutMs: options.activateTimeoutMs,
  });
  if (out.code !== 0) return failure("activation", plan.endpoint, [line], out);
  return `ran ${line}`;
}

function outcomeBase(plan: HostPlan): Pick<HostOutcome, "host" | "target"> {
  return { host: plan.name, target: describeEndpoint(plan.endpoint) };
}

/** Deploys one host; never throws: every failure is in the outcome. */
export async function deployHost(
  plan: HostPlan,
  source: SystemSource,
  options: HostRunOptions,
): Promise<HostOutcome> {
  const log = new StepLog(plan.name, options.onStep);
  const done = (
    fields: Omit<HostOutcome, "host" | "target" | "steps" | "healthChecks"> & Partial<HostOutcome>,
  ) => ({ ...outcomeBase(plan), healthChecks: [], ...fields, steps: log.steps }) as HostOutcome;

  let checks = plan.healthChecks;
  const storePath = await log.run("resolve", async () => {
    const path = await resolveSource(source, options);
    if (path instanceof StepFailure || source.kind !== "flake" || checks.length > 0) return path;
    const declared = await flakeHealthChecks(source, options);
    if (declared instanceof StepFailure) return declared;
    checks = declared;
    return path;
  });
  if (storePath instanceof StepFailure) return done({ status: "failed", message: storePath.message });

  const copied = await log.run("copy", () => copyClosure(plan.endpoint, storePath, options));
  if (copied instanceof StepFailure) return done({ status: "failed", message: copied.message, storePath });

  const before = await log.run("inspect", () => inspectProfile(plan, options));
  if (before instanceof StepFailure)
    return done({ status: "failed", message: before.message, storePath, pathsCopied: copied });
  const previous = { previousGeneration: before.generation, previousStorePath: before.storePath };

  const after = await log.run("set-profile", () =>
    changeProfile(plan, ["--set", storePath], "setting the profile", options),
  );
  if (after instanceof StepFailure)
    return done({ status: "failed", message: after.message, storePath, pathsCopied: copied, ...previous });

  const rollBack = async (why: string, health: Partial<HostOutcome>): Promise<HostOutcome> => {
    if (before.generation === null || before.storePath === null) {
      log.skip("rollback", "no previous generation to return to");
      return done({
        status: "failed",
        message: `${why}; no previous generation to roll back to, the host stays on generation ${after.generation}`,
        storePath,
        pathsCopied: copied,
        ...(after.generation !== null ? { generation: after.generation } : {}),
        ...previous,
        ...health,
      });
    }
    const previousGeneration = before.generation;
    const previousPath = before.storePath;
    const back = await log.run("rollback", async () => {
      const switched = await changeProfile(
        plan,
        ["--switch-generation", String(previousGeneration)],
        `switching back to generation ${previousGeneration}`,
        options,
      );
      if (switched instanceof StepFailure) return switched;
      const activated = await activate(plan, previousPath, options);
      if (activated instanceof StepFailure) return activated;
      return `back on generation ${previousGeneration} (${previousPath})`;
    });
    if (back instanceof StepFailure)
      return done({
        status: "failed",
        message: `${why}; rollback failed too: ${back.message}`,
        storePath,
        pathsCopied: copied,
        ...previous,
        ...health,
      });
    return done({
      status: "rolled-back",
      message: `${why}; rolled back to generation ${previousGeneration}`,
      storePath,
      generation: previousGeneration,
      pathsCopied: copied,
      ...previous,
      ...health,
    });
  };

  const activated = await log.run("activate", () => activate(plan, storePath, options));
  if (activated instanceof StepFailure) return rollBack(activated.message, {});

  const health = await log.run("health", async () => {
    const h = await runHostHealthChecks(checks, plan.endpoint, {
      overallTimeoutMs: plan.healthTimeoutMs,
      env: options.env,
    });
    if (h.verdict === "failed" || h.verdict === "inconclusive") {
      const bad = h.results
        .filter((r) => r.status !== "pass")
        .map((r) => `${r.name}: ${r.message ?? r.status}`);
      return new StepFailure(`health checks ${h.verdict}: ${bad.join("; ")}`, h);
    }
    return h;
  });
  if (health instanceof StepFailure)
    return rollBack(health.message, {
      healthChecks: health.health?.results ?? [],
      ...(health.health ? { healthVerdict: health.health.verdict } : {}),
    });
  return done({
    status: "deployed",
    message:
      health.verdict === "none"
        ? `on generation ${after.generation} (no health checks declared)`
        : `on generation ${after.generation}, ${health.results.length} health check(s) passed`,
    storePath,
    ...(after.generation !== null ? { generation: after.generation } : {}),
    pathsCopied: copied,
    ...previous,
    healthChecks: health.results,
    healthVerdict: health.verdict,
  });
}

/**
 * Rolls one host back: to generation `generation` when given, else to the generation before the current one;
 * activates it and runs the host's health checks. Never throws.
 */
export async function rollbackHost(
  plan: HostPlan,
  generation: number | undefined,
  options: HostRunOptions,
): Promise<HostOutcome> {
  const log = new StepLog(plan.name, options.onStep);
  const done = (
    fields: Omit<HostOutcome, "host" | "target" | "steps" | "healthChecks"> & Partial<HostOutcome>,
  ) => ({ ...outcomeBase(plan), healthChecks: [], ...fields, steps: log.steps }) as HostOutcome;

  const before = await log.run("inspect", () => inspectProfile(plan, options));
  if (before instanceof StepFailure) return done({ status: "failed", message: before.message });
  if (before.generation === null)
    return done({
      status: "failed",
      message: `${plan.profile} does not exist on ${plan.name}; nothing to roll back`,
    });
  const previous = { previousGeneration: before.generation, previousStorePath: before.storePath };
  if (generation === before.generation)
    return done({
      status: "failed",
      message: `${plan.name} is already on generation ${generation}`,
      ...previous,
    });

  const args = generation === undefined ? ["--rollback"] : ["--switch-generation", String(generation)];
  const after = await log.run("set-profile", () =>
    changeProfile(
      plan,
      args,
      generation === undefined ? "rolling back the profile" : `switching to generation ${generation}`,
      options,
    ),
  );
  if (after instanceof StepFailure) return done({ status: "failed", message: after.message, ...previous });
  if (after.storePath === null || after.generation === before.generation)
    return done({
      status: "failed",
      message: `${plan.profile} has no generation before ${before.generation}`,
      ...previous,
    });
  const target = after.storePath;
  const activated = await log.run("activate", () => activate(plan, target, options));
  if (activated instanceof StepFailure)
    return done({
      status: "failed",
      message: `${activated.message}; the profile points at generation ${after.generation} but it did not activate`,
      storePath: target,
      ...(after.generation !== null ? { generation: after.generation } : {}),
      ...previous,
    });
  const health = await log.run("health", async () => {
    const h = await runHostHealthChecks(plan.healthChecks, plan.endpoint, {
      overallTimeoutMs: plan.healthTimeoutMs,
      env: options.env,
    });
    if (h.verdict === "failed" || h.verdict === "inconclusive") {
      const bad = h.results
        .filter((r) => r.status !== "pass")
        .map((r) => `${r.name}: ${r.message ?? r.status}`);
      return new StepFailure(`health checks ${h.verdict} after the rollback: ${bad.join("; ")}`, h);
    }
    return h;
  });
  const h = health instanceof StepFailure ? health.health : health;
  const healthFields = h ? { healthChecks: h.results, healthVerdict: h.verdict } : {};
  if (health instanceof StepFailure)
    return done({
      status: "failed",
      message: health.message,
      storePath: target,
      ...(after.generation !== null ? { generation: after.generation } : {}),
      ...previous,
      ...healthFields,
    });
  return done({
    status: "rolled-back",
    message: `rolled back from generation ${before.generation} to ${after.generation}`,
    storePath: target,
    ...(after.generation !== null ? { generation: after.generation } : {}),
    ...previous,
    ...healthFields,
  });
}
