/** The typed hono Env of the control plane, the actor model and the dependencies every handler reaches through the context. */

import type { X509Certificate } from "node:crypto";
import type { HttpBindings } from "@hono/node-server";
import type { Logger } from "pino";
import type { ServerConfig } from "../schemas/generated/server-config.js";
import type { Db } from "./db/client.js";
import type { CredentialStore } from "./http/credentials.js";
import type { Operation } from "./http/resource.js";
import type { ApiMetrics } from "./metrics.js";

/** Roles a person's bearer token can carry. `agent` tokens are machine credentials, not user roles. */
export type UserRole = "admin" | "operator" | "auditor";
export type TokenRole = UserRole | "agent";

/** Who is acting: a person's token, an agent (mTLS certificate or per-machine token), or the system itself. */
export type Actor =
  | { kind: "user"; role: UserRole; tokenId: string }
  | { kind: "agent"; machineId: string; via: "mtls" | "token"; credentialId: string }
  | { kind: "system"; reason: string };

/** Time as a dependency: tests drive it, production reads the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Server configuration with every default resolved. */
export type ResolvedServerConfig = Required<Omit<ServerConfig, "tls" | "agentListen">> &
  Pick<ServerConfig, "tls" | "agentListen">;

export const CONFIG_DEFAULTS: Omit<ResolvedServerConfig, "listen" | "db" | "tls" | "agentListen"> = {
  insecureHttp: false,
  maxBodyBytes: 8 * 1024 * 1024,
  pollAfterMs: 30_000,
  evidenceFreshnessMs: 24 * 60 * 60 * 1000,
  credentialCacheTtlMs: 5_000,
  logLevel: "info",
};

/** Key material the app checks identities against. */
export interface Keys {
  /** CA that issues agent certificates: a peer certificate must be signed by it (checked once per certificate). */
  clientCa?: X509Certificate;
}

export interface AppDeps {
  db: Db;
  config: ResolvedServerConfig;
  clock: Clock;
  keys: Keys;
  logger: Logger;
}

/** Per-app machinery built once by createApp. */
export interface PlaneRuntime {
  credentials: CredentialStore;
  metrics: ApiMetrics;
  /** every operation of the app: the route table behind OpenAPI and the security suite */
  operations: Operation[];
  openapi: Record<string, unknown>;
}

export interface AppVariables {
  deps: AppDeps;
  runtime: PlaneRuntime;
  operationId: string;
  requestId: string;
  /** Set by the auth middleware of each operation; absent on public routes. */
  actor: Actor;
}

/** Node bindings are optional: `app.request()` in tests has no socket. */
export type AppEnv = { Bindings: Partial<HttpBindings>; Variables: AppVariables };

/** A one-line description of an actor for logs and the audit trail. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return `${actor.role}:${actor.tokenId}`;
    case "agent":
      return `agent:${actor.machineId}`;
    case "system":
      return `system:${actor.reason}`;
  }
}
