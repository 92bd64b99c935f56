/**
 * Running the control plane: resolve and validate the configuration once, migrate, then serve over HTTP (loopback
 * or --insecure-http only) or HTTPS with optional mTLS for agents. `close()` stops accepting, lets in-flight
 * requests finish within a deadline, and closes the database.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import pino, { type Logger } from "pino";
import type { ServerConfig } from "../schemas/generated/server-config.js";
import { validate } from "../schemas/registry.js";
import { type ControlPlaneApp, createControlPlane } from "./app.js";
import { type Db, openMigrated } from "./db/client.js";
import { type Clock, CONFIG_DEFAULTS, type Keys, type ResolvedServerConfig, systemClock } from "./env.js";
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
  return resolved;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  db: Db;
  plane: ControlPlaneApp;
  logger: Logger;
  /** Stops accepting, waits for in-flight requests up to `deadlineMs`, then closes connections and the database. */
  close(deadlineMs?: number): Promise<void>;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ServerConfigError(`${what} ${path}: ${(err as Error).message}`);
  }
}

/** Starts serving; resolves once listening. */
export async function startServer(
  config: ResolvedServerConfig,
  options: { clock?: Clock; logger?: Logger } = {},
): Promise<RunningServer> {
  const logger =
    options.logger ?? pino({ level: config.logLevel, base: { service: "nixfleet-control-plane" } });
  const { host, port } = parseListen(config.listen);
  const keys: Keys = {};
  let tlsOptions: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  if (config.tls) {
    tlsOptions = { cert: readPem(config.tls.cert, "--tls-cert"), key: readPem(config.tls.key, "--tls-key") };
    if (config.tls.clientCa) {
      tlsOptions.ca = readPem(config.tls.clientCa, "--client-ca");
      keys.clientCa = new X509Certificate(tlsOptions.ca);
    }
  }
  const db = openMigrated(config.db);
  const plane = createControlPlane({ db, config, clock: options.clock ?? systemClock, keys, logger });
  const server = tlsOptions
    ? createAdaptorServer({
        fetch: plane.app.fetch,
        createServer: createHttpsServer,
        serverOptions: {
          ...tlsOptions,
          // Ask for a client certificate but do not require one: people use bearer tokens over the same port.
          // Only a certificate that verifies against the client CA (socket.authorized) identifies an agent.
          requestCert: Boolean(tlsOptions.ca),
          rejectUnauthorized: false,
          keepAliveTimeout: 65_000,
        },
      })
    : createAdaptorServer({
        fetch: plane.app.fetch,
        createServer: createHttpServer,
        serverOptions: { keepAliveTimeout: 65_000 },
      });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(new ServerConfigError(`cannot listen on ${config.listen}: ${err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${tlsOptions ? "https" : "http"}://${shownHost}:${address.port}`;
  logger.info({ url, db: config.db, mtls: Boolean(tlsOptions?.ca) }, "control plane listening");
  // The rollout scheduler runs beside the HTTP server on the same database (see api/scheduler/scheduler.ts).
  const scheduler = new RolloutScheduler({ db, clock: options.clock ?? systemClock, logger });
  scheduler.start();
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host: address.address,
    db,
    plane,
    logger,
    close(deadlineMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        scheduler.stop();
        const httpServer = server as import("node:http").Server;
        const timer = setTimeout(() => httpServer.closeAllConnections(), deadlineMs);
        httpServer.close(() => {
          clearTimeout(timer);
          db.sqlite.close();
          logger.info("control plane stopped");
          resolve();
        });
        httpServer.closeIdleConnections();
      });
      return closing;
    },
  };
}
