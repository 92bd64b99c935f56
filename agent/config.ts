/** Agent configuration: file (JSON or YAML) + NIXFLEET_* variables + flags, validated once against agent-config. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { AgentConfig } from "../schemas/generated/agent-config.js";
import type { HealthCheck } from "../schemas/generated/health-check.js";
import { SchemaValidationError } from "../schemas/schema-error.js";
import { validateAgentDocument } from "./validation/index.js";

/** The configuration with every default applied: what the rest of the agent receives. */
export interface ResolvedAgentConfig {
  machineId: string;
  controlPlaneUrl: string;
  tls: { cert: string; key: string; ca: string } | null;
  token: string | null;
  platform: "nixos" | "darwin";
  /** nix on every real host; simulated only when the configuration says so (ADR 0850) */
  driver: "nix" | "simulated";
  /** the directory standing for /nix/store under the simulated driver; null with Nix */
  simulatedStoreDir: string | null;
  tags: string[];
  pollIntervalMs: number;
  jitter: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  requestTimeoutMs: number;
  shutdownDeadlineMs: number;
  profilePath: string;
  currentSystemLink: string;
  activationCommand: string[];
  rollbackActivationCommand: string[];
  activationTimeoutMs: number;
  switchLockPath: string;
  cacheUrl: string | null;
  trustedPublicKeys: string[];
  checkSignatures: boolean;
  rootPath: string;
  stateDir: string;
  outbox: { maxItems: number; batchSize: number };
  reportIntervalMs: number;
  sysctlKeys: string[] | null;
  healthChecks: HealthCheck[];
  healthTimeoutMs: number;
  confirmWindowMs: number;
  onInconclusive: "rollback" | "confirm";
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

type OptionKind = "string" | "int" | "number" | "bool" | "list" | "json";

/** One configuration key with its flag and environment spelling; nested keys use a dotted path. */
export interface AgentOption {
  key: string;
  flag: string;
  env: string;
  kind: OptionKind;
  description: string;
}

function opt(key: string, kind: OptionKind, description: string): AgentOption {
  const words = key.replace(/\./g, "-").replace(/([a-z0-9])([A-Z])/g, "$1-$2");
  return {
    key,
    kind,
    description,
    flag: `--${words.toLowerCase()}`,
    env: `NIXFLEET_${words.replace(/-/g, "_").toUpperCase()}`,
  };
}

/** Every option of the agent, in the order `--help` lists them. Lists are comma-separated, json is a JSON text. */
export const AGENT_OPTIONS: AgentOption[] = [
  opt("machineId", "string", "machine id registered on the control plane"),
  opt("controlPlaneUrl", "string", "control plane base URL (https:// for mTLS, http:// for loopback)"),
  opt("tls.cert", "string", "client certificate PEM (from nixfleet ca issue)"),
  opt("tls.key", "string", "client key PEM"),
  opt("tls.ca", "string", "CA certificate PEM the control plane's certificate chains to"),
  opt("token", "string", "bearer token (role agent)"),
  opt("tokenFile", "string", "file holding the bearer token"),
  opt("platform", "string", "nixos | darwin"),
  opt("driver", "string", "nix | simulated (plain directories, no Nix: the demo without Nix only)"),
  opt("simulatedStoreDir", "string", "driver simulated: directory standing for /nix/store"),
  opt("tags", "list", "comma-separated tags reported with the status"),
  opt("pollIntervalMs", "int", "poll interval without a pollAfterMs hint"),
  opt("jitter", "number", "fraction 0..1 of random stretch applied to every wait"),
  opt("backoffInitialMs", "int", "first back-off after a failed request"),
  opt("backoffMaxMs", "int", "longest back-off"),
  opt("requestTimeoutMs", "int", "timeout of one HTTP request"),
  opt("shutdownDeadlineMs", "int", "SIGTERM: stop within this time"),
  opt("profilePath", "string", "system profile (nix-env -p)"),
  opt("currentSystemLink", "string", "link that points at the running system"),
  opt("activationCommand", "json", 'activation argv as JSON, {path} = store path, e.g. ["{path}/activate"]'),
  opt("rollbackActivationCommand", "json", "activation argv used on rollback (JSON)"),
  opt("activationTimeoutMs", "int", "limit for activation and for the current-system link to flip"),
  opt("switchLockPath", "string", "flock(1) lock file held during a switch"),
  opt("cacheUrl", "string", "binary cache for nix copy --from (file:// or http(s)://)"),
  opt("trustedPublicKeys", "list", "comma-separated trusted public keys of the cache"),
  opt("checkSignatures", "bool", "check signatures of fetched paths (false: --no-check-sigs)"),
  opt("rootPath", "string", "root the runtime collectors read /proc from"),
  opt("stateDir", "string", "directory of the agent's SQLite state file"),
  opt("outbox.maxItems", "int", "bound of the on-disk outbox (oldest dropped beyond it)"),
  opt("outbox.batchSize", "int", "evidence items per request"),
  opt("reportIntervalMs", "int", "runtime report interval"),
  opt("sysctlKeys", "list", "comma-separated sysctl keys to report (default: all)"),
  opt("healthChecks", "json", "health checks as a JSON array (health-check schema)"),
  opt("healthTimeoutMs", "int", "limit for all health checks together"),
  opt("confirmWindowMs", "int", "switch → accepted confirmation limit; past it the agent rolls back"),
  opt("onInconclusive", "string", "rollback | confirm when a check could not run"),
  opt("logLevel", "string", "debug | info | warn | error | silent"),
];

function coerce(option: AgentOption, raw: string, source: string): unknown {
  switch (option.kind) {
    case "string":
      return raw;
    case "int":
    case "number": {
      const n = Number(raw);
      // Leave non-numbers as strings so the schema reports them with their path.
      return raw.trim() !== "" && Number.isFinite(n) ? n : raw;
    }
    case "bool":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return raw;
    case "list":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    case "json":
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new SchemaValidationError(
          "agent-config",
          [{ path: `/${option.key.replace(/\./g, "/")}`, message: "is not valid JSON" }],
          source,
        );
      }
  }
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

// yaml is loaded only for YAML files: the agent is long-running and the Nix module renders JSON, so the
// parser would otherwise stay resident for nothing (see the memory benchmark).
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)("yaml") as { parse(text: string): unknown };
  return yaml.parse(text);
}

/** Reads a config file (JSON, or YAML by extension or when it is not JSON). */
export function readConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, "utf8");
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (jsonErr) {
    try {
      parsed = parseYaml(text);
    } catch {
      throw new SchemaValidationError(
        "agent-config",
        [{ path: "/", message: `cannot be parsed: ${(jsonErr as Error).message}` }],
        file,
      );
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new SchemaValidationError("agent-config", [{ path: "/", message: "must be an object" }], file);
  return parsed as Record<string, unknown>;
}

/** Sources layered in order: file < environment < flags. Flag values are keyed by option key. */
export interface ConfigSources {
  file?: string;
  env?: Record<string, string | undefined>;
  flags?: Record<string, string | undefined>;
}

/** Merges the sources, validates against agent-config and applies defaults. Throws SchemaValidationError. */
export function loadAgentConfig(sources: ConfigSources): ResolvedAgentConfig {
  const merged: Record<string, unknown> = sources.file ? readConfigFile(sources.file) : {};
  for (const option of AGENT_OPTIONS) {
    const fromEnv = sources.env?.[option.env];
    if (fromEnv !== undefined && fromEnv !== "")
      setPath(merged, option.key, coerce(option, fromEnv, `environment ${option.env}`));
  }
  for (const option of AGENT_OPTIONS) {
    const fromFlag = sources.flags?.[option.key];
    if (fromFlag !== undefined) setPath(merged, option.key, coerce(option, fromFlag, `flag ${option.flag}`));
  }
  const source = sources.file ?? "agent configuration (flags and NIXFLEET_* variables)";
  const config: AgentConfig = validateAgentDocument("agent-config", merged, source);
  let token = config.token ?? null;
  if (config.tokenFile) token = readFileSync(config.tokenFile, "utf8").trim();
  if (config.controlPlaneUrl.startsWith("https://") && !config.tls && !token)
    throw new SchemaValidationError(
      "agent-config",
      [{ path: "/tls", message: "is required for an https control plane unless a token is given" }],
      source,
    );
  if (config.driver === "simulated" && !config.simulatedStoreDir)
    throw new SchemaValidationError(
      "agent-config",
      [{ path: "/simulatedStoreDir", message: "is required when driver is simulated" }],
      source,
    );
  return resolveDefaults(config, token);
}

/** Applies the documented defaults of agent-config. */
export function resolveDefaults(
  config: AgentConfig,
  token: string | null = config.token ?? null,
): ResolvedAgentConfig {
  const platform = config.platform ?? "nixos";
  const driver = config.driver ?? "nix";
  const activationCommand =
    config.activationCommand ??
    (platform === "darwin"
      ? ["{path}/activate"]
      : // the simulated driver runs the activation in the foreground: there is no systemd to detach it into
        driver === "simulated"
        ? ["{path}/bin/switch-to-configuration", "switch"]
        : [
            "systemd-run",
            "--unit=nixfleet-switch",
            "--collect",
            "--",
            "{path}/bin/switch-to-configuration",
            "switch",
          ]);
  const stateDir = config.stateDir ?? "/var/lib/nixfleet-agent";
  return {
    machineId: config.machineId,
    controlPlaneUrl: config.controlPlaneUrl.replace(/\/+$/, ""),
    tls: config.tls ?? null,
    token,
    platform,
    driver,
    simulatedStoreDir: driver === "simulated" ? (config.simulatedStoreDir ?? null) : null,
    tags: config.tags ?? [],
    pollIntervalMs: config.pollIntervalMs ?? 30_000,
    jitter: config.jitter ?? 0.1,
    backoffInitialMs: config.backoffInitialMs ?? 1000,
    backoffMaxMs: config.backoffMaxMs ?? 300_000,
    requestTimeoutMs: config.requestTimeoutMs ?? 15_000,
    shutdownDeadlineMs: config.shutdownDeadlineMs ?? 10_000,
    // nix-darwin keeps its system profile at the same path as NixOS.
    profilePath: config.profilePath ?? "/nix/var/nix/profiles/system",
    currentSystemLink: config.currentSystemLink ?? "/run/current-system",
    activationCommand,
    rollbackActivationCommand: config.rollbackActivationCommand ?? activationCommand,
    activationTimeoutMs: config.activationTimeoutMs ?? 600_000,
    switchLockPath: config.switchLockPath ?? "/run/nixfleet/switch.lock",
    cacheUrl: config.cacheUrl ?? null,
    trustedPublicKeys: config.trustedPublicKeys ?? [],
    checkSignatures: config.checkSignatures ?? true,
    rootPath: config.rootPath ?? "/",
    stateDir,
    outbox: { maxItems: config.outbox?.maxItems ?? 10_000, batchSize: config.outbox?.batchSize ?? 200 },
    reportIntervalMs: config.reportIntervalMs ?? 300_000,
    sysctlKeys: config.sysctlKeys ?? null,
    healthChecks: config.healthChecks ?? [],
    healthTimeoutMs: config.healthTimeoutMs ?? 300_000,
    confirmWindowMs: config.confirmWindowMs ?? 600_000,
    onInconclusive: config.onInconclusive ?? "rollback",
    logLevel: config.logLevel ?? "info",
  };
}

/** The SQLite file inside the state directory. */
export function stateFile(config: ResolvedAgentConfig): string {
  return join(config.stateDir, "agent.sqlite");
}
