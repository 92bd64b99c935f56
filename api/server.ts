/**
 * Running the control plane: resolve and validate the configuration once, migrate, then serve over HTTP (loopback
 * or --insecure-http only) or HTTPS with optional mTLS for agents. With `agentListen` (ADR 0840) agents get a port
 * of their own whose TLS handshake requires a certificate from the client CA, and the people port stops asking
 * for client certificates. `close()` stops accepting on every port, lets in-flight requests finish within a
 * deadline, and closes the database.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import {
  createAdaptorServer,
  type Http2Bindings,
  type HttpBindings,
  type ServerType,
} from "@hono/node-server";
import { getPath } from "hono/utils/url";
import pino, { type Logger } from "pino";
import { Counter } from "prom-client";
import type { ServerConfig } from "../schemas/generated/server-config.js";
import { newId } from "../schemas/ids.js";
import { validate } from "../schemas/registry.js";
import { type ControlPlaneApp, createControlPlane } from "./app.js";
import { type Db, openMigrated } from "./db/client.js";
import { type Clock, CONFIG_DEFAULTS, type Keys, type ResolvedServerConfig, systemClock } from "./env.js";
import { PROBLEM_TYPE_BASE, problemResponse } from "./http/problem.js";
import type { Operation } from "./http/resource.js";
import { RolloutScheduler } from "./scheduler/scheduler.js";

/** The configuration problem that keeps the server from starting (the CLI turns it into exit 2). */
export class ServerConfigError extends Error {
  override name = "ServerConfigError";
}

/** Splits HOST:PORT (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new ServerConfigError(`listen: ${JSON.stringify(listen)} is not HOST:PORT`);
  return { host: m[1] ?? m[2] ?? "", port };
}

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}

/** Validates a merged configuration against schemas/server-config and fills in defaults. */
export function resolveServerConfig(raw: unknown, source = "server configuration"): ResolvedServerConfig {
  const config = validate<ServerConfig>("server-config", raw, source);
  const resolved: ResolvedServerConfig = { ...CONFIG_DEFAULTS, ...config };
  const { host } = parseListen(resolved.listen);
  if (!resolved.tls && !isLoopback(host) && !resolved.insecureHttp)
    throw new ServerConfigError(
      `refusing plain HTTP on ${host}, which is not loopback: give --tls-cert and --tls-key (agents then use mTLS with --client-ca), or accept plain HTTP with --insecure-http`,
    );
  if (resolved.tls?.clientCa && !resolved.tls.cert)
    throw new ServerConfigError("--client-ca needs --tls-cert and --tls-key");
  if (resolved.agentListen !== undefined) {
    if (!resolved.tls?.clientCa)
      throw new ServerConfigError(
        "--agent-listen needs --tls-cert, --tls-key and --client-ca: the agent listener admits only clients whose certificate verifies against the client CA",
      );
    const agent = parseListen(resolved.agentListen);
    const people = parseListen(resolved.listen);
    if (agent.port !== 0 && agent.port === people.port && agent.host === people.host)
      throw new ServerConfigError(
        `--agent-listen ${resolved.agentListen} is the --listen address: the agent listener needs a port of its own`,
      );
  }
  return resolved;
}

export interface RunningServer {
  /** the people port (bearer tokens; agents too when there is no agent listener) */
  url: string;
  port: number;
  host: string;
  /** the dedicated agent listener, when `agentListen` is set */
  agentUrl?: string;
  agentPort?: number;
  db: Db;
  plane: ControlPlaneApp;
  logger: Logger;
  /** Stops accepting on every port, waits for in-flight requests up to `deadlineMs`, then closes connections and the database. */
  close(deadlineMs?: number): Promise<void>;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ServerConfigError(`${what} ${path}: ${(err as Error).message}`);
  }
}

/** Which port served a request: `api` (people, and agents without an agent listener) or `agent`. */
export type ListenerName = "api" | "agent";

type FetchBindings = HttpBindings | Http2Bindings;
type Fetch = (request: Request, env: FetchBindings) => Response | Promise<Response>;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A matcher for the agent operations of the route table (access "agent"), by method and path. It sees the path
 * the router sees (hono's getPath: dot segments already resolved by @hono/node-server, percent-encoding decoded),
 * so no spelling of a path reaches another route than the one checked here. Parameters must look like ids, as the
 * operations themselves demand.
 */
export function agentRouteMatcher(
  operations: readonly Operation[],
): (method: string, path: string) => boolean {
  const routes = operations
    .filter((op) => op.access === "agent")
    .map((op) => ({
      method: op.method.toUpperCase(),
      path: new RegExp(
        `^${op.fullPath
          .split("/")
          .map((part) =>
            part.startsWith(":")
              ? "[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
              : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
          )
          .join("/")}$`,
      ),
    }));
  return (method, path) => {
    // hono answers HEAD with the GET route
    const asRouted = method === "HEAD" ? "GET" : method;
    return routes.some((r) => r.method === asRouted && r.path.test(path));
  };
}

/** The per-listener counters (registered beside the app's metrics, so /metrics shows them). */
class ListenerMetrics {
  readonly requests: Counter<"listener">;
  readonly refusedHandshakes: Counter<"listener" | "code">;

  constructor(plane: ControlPlaneApp) {
    const registers = [plane.runtime.metrics.registry];
    this.requests = new Counter({
      name: "nixfleet_listener_requests_total",
      help: "HTTP requests by the listener that received them (api: people; agent: the dedicated agent port)",
      labelNames: ["listener"],
      registers,
    });
    this.refusedHandshakes = new Counter({
      name: "nixfleet_tls_handshake_failures_total",
      help: "TLS connections that failed before the handshake completed (on the agent port: no certificate, a foreign CA), by listener and error code",
      labelNames: ["listener", "code"],
      registers,
    });
  }
}

/** 404 problem+json for a route this listener does not serve (counted like the app's own unmatched requests). */
function notOnThisListener(
  plane: ControlPlaneApp,
  request: Request,
  env: FetchBindings,
  detail: string,
): Response {
  const incoming = env.incoming.headers["x-request-id"];
  const sent = Array.isArray(incoming) ? incoming[0] : incoming;
  const requestId = sent && REQUEST_ID.test(sent) ? sent : newId("req");
  plane.runtime.metrics.requests.inc({ operation: "unmatched", status: "404" });
  return problemResponse({
    type: `${PROBLEM_TYPE_BASE}not-found`,
    title: "Not found",
    status: 404,
    detail,
    instance: getPath(request).slice(0, 200),
    requestId,
  });
}

/**
 * The agent port's fetch handler: only agent routes and liveness pass, and the Authorization header is dropped
 * before the app sees it, so identity there is the certificate the handshake verified, never a bearer token.
 */
function agentPortFetch(plane: ControlPlaneApp, metrics: ListenerMetrics): Fetch {
  const counted = metrics.requests.labels("agent");
  const fetch = plane.app.fetch as Fetch;
  const isAgentRoute = agentRouteMatcher(plane.runtime.operations);
  return (request, env) => {
    counted.inc();
    const path = getPath(request);
    const liveness = path === "/healthz" && (request.method === "GET" || request.method === "HEAD");
    if (!liveness && !isAgentRoute(request.method, path))
      return notOnThisListener(
        plane,
        request,
        env,
        `${request.method} ${path.slice(0, 200)} is not served on the agent listener: it serves only /api/v1/agents/{machineId}/… and /healthz`,
      );
    delete env.incoming.headers.authorization;
    return fetch(request, env);
  };
}

/**
 * The people port's fetch handler. Beside an agent listener (`agentUrl` set) it does not serve agent routes:
 * it asks for no client certificate, so an agent could only be a bearer token there, and agents belong on their
 * own port. Without one it is the whole app (the shared port of ADR 0301).
 */
function peoplePortFetch(
  plane: ControlPlaneApp,
  metrics: ListenerMetrics,
  agentUrl: string | undefined,
): Fetch {
  const counted = metrics.requests.labels("api");
  const fetch = plane.app.fetch as Fetch;
  if (agentUrl === undefined)
    return (request, env) => {
      counted.inc();
      return fetch(request, env);
    };
  const isAgentRoute = agentRouteMatcher(plane.runtime.operations);
  return (request, env) => {
    counted.inc();
    if (isAgentRoute(request.method, getPath(request)))
      return notOnThisListener(
        plane,
        request,
        env,
        `agent endpoints are served on the agent listener ${agentUrl}, not on this port`,
      );
    return fetch(request, env);
  };
}

function listenOn(server: ServerType, host: string, port: number, what: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    const onError = (err: Error) => reject(new ServerConfigError(`cannot listen on ${what}: ${err.message}`));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(scheme: "http" | "https", address: AddressInfo): string {
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${scheme}://${shownHost}:${address.port}`;
}

/** Closes `servers` gracefully: stop accepting, let requests finish, cut what is left after `deadlineMs`. */
function closeServers(servers: ServerType[], deadlineMs: number): Promise<void> {
  const https = servers as import("node:http").Server[];
  const timer = setTimeout(() => {
    for (const s of https) s.closeAllConnections();
  }, deadlineMs);
  const closed = Promise.all(https.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const s of https) s.closeIdleConnections();
  return closed.then(() => clearTimeout(timer));
}

/** Starts serving; resolves once every port is listening (the people port and, when set, the agent listener). */
export async function startServer(
  config: ResolvedServerConfig,
  options: { clock?: Clock; logger?: Logger } = {},
): Promise<RunningServer> {
  const logger =
    options.logger ?? pino({ level: config.logLevel, base: { service: "nixfleet-control-plane" } });
  const { host, port } = parseListen(config.listen);
  const agentAddress = config.agentListen === undefined ? undefined : parseListen(config.agentListen);
  const keys: Keys = {};
  let tlsOptions: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  if (config.tls) {
    tlsOptions = { cert: readPem(config.tls.cert, "--tls-cert"), key: readPem(config.tls.key, "--tls-key") };
    if (config.tls.clientCa) {
      tlsOptions.ca = readPem(config.tls.clientCa, "--client-ca");
      keys.clientCa = new X509Certificate(tlsOptions.ca);
    }
  }
  if (agentAddress && !tlsOptions?.ca)
    throw new ServerConfigError("--agent-listen needs --tls-cert, --tls-key and --client-ca");
  const db = openMigrated(config.db);
  const plane = createControlPlane({ db, config, clock: options.clock ?? systemClock, keys, logger });
  const metrics = new ListenerMetrics(plane);
  const countRefusals = (server: ServerType, listener: ListenerName) =>
    server.on("tlsClientError", (err: NodeJS.ErrnoException) => {
      const code = typeof err.code === "string" && /^[A-Z0-9_]{1,80}$/.test(err.code) ? err.code : "unknown";
      metrics.refusedHandshakes.inc({ listener, code });
      logger.debug({ listener, code, err: err.message }, "TLS handshake failed");
    });

  // The agent URL is only known once its port is bound, but the people port names it in its 404s: bind the agent
  // listener first.
  let agentServer: ServerType | undefined;
  let agentUrl: string | undefined;
  let agentPort: number | undefined;
  if (agentAddress && tlsOptions?.ca) {
    agentServer = createAdaptorServer({
      fetch: agentPortFetch(plane, metrics),
      createServer: createHttpsServer,
      serverOptions: {
        cert: tlsOptions.cert,
        key: tlsOptions.key,
        ca: tlsOptions.ca,
        // Agents only: the handshake itself refuses a client without a certificate that verifies against the
        // client CA. Revocation is checked by the app per certificate (the list lives in the database).
        requestCert: true,
        rejectUnauthorized: true,
        keepAliveTimeout: 65_000,
      },
    });
    countRefusals(agentServer, "agent");
    try {
      const bound = await listenOn(
        agentServer,
        agentAddress.host,
        agentAddress.port,
        `--agent-listen ${config.agentListen}`,
      );
      agentUrl = urlOf("https", bound);
      agentPort = bound.port;
    } catch (err) {
      db.sqlite.close();
      throw err;
    }
  }

  const fetch = peoplePortFetch(plane, metrics, agentUrl);
  const server = tlsOptions
    ? createAdaptorServer({
        fetch,
        createServer: createHttpsServer,
        serverOptions: {
          cert: tlsOptions.cert,
          key: tlsOptions.key,
          ...(tlsOptions.ca && !agentServer
            ? {
                // Shared port (no agent listener): ask for a client certificate but do not require one, since
                // people use bearer tokens over the same port. Only a certificate that verifies against the client
                // CA (socket.authorized) identifies an agent.
                ca: tlsOptions.ca,
                requestCert: true,
                rejectUnauthorized: false,
              }
            : // Beside an agent listener the people port asks for no certificate: agent identity exists there only.
              { requestCert: false }),
          keepAliveTimeout: 65_000,
        },
      })
    : createAdaptorServer({
        fetch,
        createServer: createHttpServer,
        serverOptions: { keepAliveTimeout: 65_000 },
      });
  if (tlsOptions) countRefusals(server, "api");
  let address: AddressInfo;
  try {
    address = await listenOn(server, host, port, config.listen);
  } catch (err) {
    if (agentServer) await closeServers([agentServer], 0);
    db.sqlite.close();
    throw err;
  }
  const url = urlOf(tlsOptions ? "https" : "http", address);
  logger.info(
    {
      url,
      ...(agentUrl ? { agentUrl } : {}),
      db: config.db,
      mtls: Boolean(tlsOptions?.ca),
      agentIdentity: agentUrl ? "agent listener only" : tlsOptions?.ca ? "shared port" : "machine tokens",
    },
    "control plane listening",
  );
  // The rollout scheduler runs beside the HTTP server on the same database (see api/scheduler/scheduler.ts).
  const scheduler = new RolloutScheduler({ db, clock: options.clock ?? systemClock, logger });
  scheduler.start();
  const servers = agentServer ? [server, agentServer] : [server];
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host: address.address,
    ...(agentUrl !== undefined && agentPort !== undefined ? { agentUrl, agentPort } : {}),
    db,
    plane,
    logger,
    close(deadlineMs = 10_000) {
      closing ??= (async () => {
        scheduler.stop();
        await closeServers(servers, deadlineMs);
        db.sqlite.close();
        logger.info("control plane stopped");
      })();
      return closing;
    },
  };
}
