/** `nixfleet server [start]`: the control plane. Configuration: file < NIXFLEET_* environment < flags, validated once. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import type { ResolvedServerConfig } from "../api/env.js";
import { type RunningServer, resolveServerConfig, ServerConfigError, startServer } from "../api/server.js";
import { UsageError } from "./errors.js";

interface ServerFlags {
  config?: string;
  listen?: string;
  agentListen?: string;
  db?: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  insecureHttp?: boolean;
  logLevel?: string;
  json?: boolean;
}

type Layer = Record<string, unknown>;

function readConfigFile(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`--config ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `--config ${path}: not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${(err as Error).message}`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(`--config ${path}: must be an object`);
  return parsed as Layer;
}

const ENV_INT = (name: string, v: string): number => {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}=${JSON.stringify(v)}: must be a whole number`);
  return Number(v);
};

/** The NIXFLEET_* variables the server reads (only here). */
export function configFromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  const tls: Layer = {};
  if (env.NIXFLEET_LISTEN) layer.listen = env.NIXFLEET_LISTEN;
  if (env.NIXFLEET_AGENT_LISTEN) layer.agentListen = env.NIXFLEET_AGENT_LISTEN;
  if (env.NIXFLEET_DB) layer.db = env.NIXFLEET_DB;
  if (env.NIXFLEET_TLS_CERT) tls.cert = env.NIXFLEET_TLS_CERT;
  if (env.NIXFLEET_TLS_KEY) tls.key = env.NIXFLEET_TLS_KEY;
  if (env.NIXFLEET_CLIENT_CA) tls.clientCa = env.NIXFLEET_CLIENT_CA;
  if (Object.keys(tls).length) layer.tls = tls;
  if (env.NIXFLEET_INSECURE_HTTP) layer.insecureHttp = /^(1|true|yes)$/i.test(env.NIXFLEET_INSECURE_HTTP);
  if (env.NIXFLEET_LOG_LEVEL) layer.logLevel = env.NIXFLEET_LOG_LEVEL;
  if (env.NIXFLEET_POLL_AFTER_MS)
    layer.pollAfterMs = ENV_INT("NIXFLEET_POLL_AFTER_MS", env.NIXFLEET_POLL_AFTER_MS);
  if (env.NIXFLEET_MAX_BODY_BYTES)
    layer.maxBodyBytes = ENV_INT("NIXFLEET_MAX_BODY_BYTES", env.NIXFLEET_MAX_BODY_BYTES);
  if (env.NIXFLEET_EVIDENCE_FRESHNESS_MS)
    layer.evidenceFreshnessMs = ENV_INT("NIXFLEET_EVIDENCE_FRESHNESS_MS", env.NIXFLEET_EVIDENCE_FRESHNESS_MS);
  if (env.NIXFLEET_CREDENTIAL_CACHE_TTL_MS)
    layer.credentialCacheTtlMs = ENV_INT(
      "NIXFLEET_CREDENTIAL_CACHE_TTL_MS",
      env.NIXFLEET_CREDENTIAL_CACHE_TTL_MS,
    );
  return layer;
}

function configFromFlags(f: ServerFlags): Layer {
  const layer: Layer = {};
  const tls: Layer = {};
  if (f.listen) layer.listen = f.listen;
  if (f.agentListen) layer.agentListen = f.agentListen;
  if (f.db) layer.db = f.db;
  if (f.tlsCert) tls.cert = f.tlsCert;
  if (f.tlsKey) tls.key = f.tlsKey;
  if (f.clientCa) tls.clientCa = f.clientCa;
  if (Object.keys(tls).length) layer.tls = tls;
  if (f.insecureHttp) layer.insecureHttp = true;
  if (f.logLevel) layer.logLevel = f.logLevel;
  return layer;
}

function merge(...layers: Layer[]): Layer {
  const out: Layer = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      const prev = out[k];
      out[k] =
        k === "tls" && prev && typeof prev === "object" && v && typeof v === "object"
          ? { ...(prev as Layer), ...(v as Layer) }
          : v;
    }
  }
  return out;
}

/** Merges defaults < file < environment < flags and validates the result against schemas/server-config. */
export function serverConfigFrom(flags: ServerFlags, env: NodeJS.ProcessEnv): ResolvedServerConfig {
  const defaults: Layer = { listen: "127.0.0.1:8080", db: "./.nixfleet/state.db" };
  const file = flags.config ? readConfigFile(flags.config) : {};
  try {
    return resolveServerConfig(
      merge(defaults, file, configFromEnv(env), configFromFlags(flags)),
      flags.config ?? "server configuration",
    );
  } catch (err) {
    if (err instanceof ServerConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Runs until SIGTERM or SIGINT, then shuts down cleanly within 10 s. */
export async function runServer(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = serverConfigFrom(flags, env);
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (err) {
    if (err instanceof ServerConfigError) throw new UsageError(err.message);
    throw err;
  }
  const agents = running.agentUrl ? { agentUrl: running.agentUrl, agentPort: running.agentPort } : {};
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ url: running.url, port: running.port, ...agents, db: config.db, mtls: Boolean(config.tls?.clientCa) })}\n`
      : running.agentUrl
        ? `nixfleet control plane listening on ${running.url} for people and on ${running.agentUrl} for agents (client certificate required; database ${config.db})\n`
        : `nixfleet control plane listening on ${running.url} (database ${config.db})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      running.logger.info({ signal }, "shutting down");
      running.close(10_000).then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}

export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description(
      "Run the control plane (REST API, agent endpoints, evidence store); stops cleanly on SIGTERM",
    )
    .argument("[start]", "optional verb, for `nixfleet server start`")
    .option("--config <file>", "configuration file (JSON or YAML, schemas/server-config.schema.json)")
    .option("--listen <host:port>", "address to listen on (env NIXFLEET_LISTEN; default 127.0.0.1:8080)")
    .option(
      "--agent-listen <host:port>",
      "dedicated agent port: TLS refuses clients without a certificate from --client-ca at the handshake; serves only agent endpoints and /healthz, and --listen then serves people only (env NIXFLEET_AGENT_LISTEN; needs --tls-cert, --tls-key, --client-ca)",
    )
    .option("--db <path>", "SQLite database (env NIXFLEET_DB; default ./.nixfleet/state.db)")
    .option("--tls-cert <file>", "server certificate, PEM (env NIXFLEET_TLS_CERT)")
    .option("--tls-key <file>", "server private key, PEM (env NIXFLEET_TLS_KEY)")
    .option(
      "--client-ca <file>",
      "CA that signs agent certificates: enables mTLS for agents (env NIXFLEET_CLIENT_CA)",
    )
    .option("--insecure-http", "allow plain HTTP on a non-loopback address (agents then need machine tokens)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env NIXFLEET_LOG_LEVEL)")
    .option("--json", "print the listening address as JSON")
    .action(async (verb: string | undefined, flags: ServerFlags) => {
      if (verb !== undefined && verb !== "start")
        throw new UsageError(`unknown server verb ${JSON.stringify(verb)} (only "start")`);
      await runServer(flags);
    });
}
