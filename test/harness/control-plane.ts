/**
 * A real control plane for end-to-end scenarios, made and run only through the CLI: `nixfleet ca init`,
 * `ca issue --server`, `db migrate`, `token create --db` (the first admin token, offline), and `nixfleet server`
 * as its own process with TLS and mTLS for agents. Helpers call the REST API over real HTTPS.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { parseJson, runCli, spawnCli } from "./cli.js";
import { freePort } from "./ports.js";
import type { Managed } from "./processes.js";
import { tempDir } from "./temp.js";

export interface IssuedCert {
  cert: string;
  key: string;
}

export interface TestControlPlane {
  dir: string;
  db: string;
  caDir: string;
  caCert: string;
  url: string;
  port: number;
  /** the dedicated agent listener (`--agent-listen`), when started with `agentListen: true` */
  agentUrl?: string;
  agentPort?: number;
  adminToken: string;
  process: Managed;
  /** issues an agent certificate bound to `machineId` with `nixfleet ca issue --machine` */
  issueAgentCert(machineId: string, caDir?: string): Promise<IssuedCert>;
  /** creates a token through the API (`nixfleet token create --server`) */
  createToken(role: "admin" | "operator" | "auditor", name?: string): Promise<string>;
  /** calls the REST API with a bearer token; resolves with status and parsed body */
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer<T>>;
  /** kill -9 the server process */
  kill9(): Promise<void>;
  /** starts the server again on the same port and database */
  restart(): Promise<void>;
  /** SIGTERM and wait */
  stop(): Promise<void>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  text: string;
}

async function cli(args: string[], cwd: string): Promise<unknown> {
  const finished = await runCli(args, { cwd });
  if (finished.code !== 0)
    throw new Error(
      `nixfleet ${args.join(" ")} exited ${finished.code}\n${finished.stderr}\n${finished.stdout}`,
    );
  return parseJson(finished);
}

/** HTTPS request trusting only the test CA; `clientCert` presents an agent certificate. */
export function httpsJson<T>(
  url: string,
  options: { method?: string; body?: unknown; token?: string; ca: string; clientCert?: IssuedCert },
): Promise<ApiAnswer<T>> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ca: readFileSync(options.ca),
        ...(options.clientCert
          ? { cert: readFileSync(options.clientCert.cert), key: readFileSync(options.clientCert.key) }
          : {}),
        headers: {
          accept: "application/json",
          ...(payload
            ? { "content-type": "application/json", "content-length": String(payload.length) }
            : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (CSV exports, PDFs): the text is the body
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, text });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Creates a CA, server certificate, database and first admin token, and starts `nixfleet server` with mTLS. */
export async function startControlPlane(
  options: {
    extraArgs?: string[];
    /** also listen for agents on a port of their own (`--agent-listen`; client certificate required) */
    agentListen?: boolean;
    /**
     * the poll hint the server gives agents (its 30 s default is for fleets, not for tests that wait on each
     * step of a rollout); written to a `--config` file
     */
    pollAfterMs?: number;
  } = {},
): Promise<TestControlPlane> {
  const dir = tempDir("nixfleet-cp-");
  const caDir = join(dir, "ca");
  const db = join(dir, "state.db");
  await cli(["ca", "init", "--dir", caDir, "--json"], dir);
  const server = (await cli(
    ["ca", "issue", "--dir", caDir, "--server", "--host", "127.0.0.1", "--host", "localhost", "--json"],
    dir,
  )) as { cert: string; key: string };
  await cli(["db", "migrate", "--db", db, "--json"], dir);
  const admin = (await cli(
    ["token", "create", "--db", db, "--role", "admin", "--name", "e2e admin", "--json"],
    dir,
  )) as {
    token: string;
  };
  const port = await freePort();
  let agentPort: number | undefined;
  while (options.agentListen && (agentPort === undefined || agentPort === port)) agentPort = await freePort();
  const caCert = join(caDir, "ca.crt");
  const configArgs: string[] = [];
  if (options.pollAfterMs !== undefined) {
    const configFile = join(dir, "server.json");
    writeFileSync(configFile, JSON.stringify({ pollAfterMs: options.pollAfterMs }));
    configArgs.push("--config", configFile);
  }
  const serverArgs = [
    "server",
    "--listen",
    `127.0.0.1:${port}`,
    "--db",
    db,
    "--tls-cert",
    server.cert,
    "--tls-key",
    server.key,
    "--client-ca",
    caCert,
    "--json",
    ...(agentPort !== undefined ? ["--agent-listen", `127.0.0.1:${agentPort}`] : []),
    ...configArgs,
    ...(options.extraArgs ?? []),
  ];
  const start = async (): Promise<Managed> => {
    const proc = spawnCli("control-plane", serverArgs, { cwd: dir });
    await proc.waitFor(/"url":"https:\/\/127\.0\.0\.1:\d+"/, 30_000);
    return proc;
  };
  const url = `https://127.0.0.1:${port}`;
  const plane: TestControlPlane = {
    dir,
    db,
    caDir,
    caCert,
    url,
    port,
    ...(agentPort !== undefined ? { agentUrl: `https://127.0.0.1:${agentPort}`, agentPort } : {}),
    adminToken: admin.token,
    process: await start(),
    async issueAgentCert(machineId, otherCaDir) {
      const issued = (await cli(
        [
          "ca",
          "issue",
          "--dir",
          otherCaDir ?? caDir,
          "--machine",
          machineId,
          "--out",
          join(dir, "agents"),
          "--json",
        ],
        dir,
      )) as { cert: string; key: string };
      return { cert: issued.cert, key: issued.key };
    },
    async createToken(role, name) {
      const created = (await cli(
        [
          "token",
          "create",
          "--role",
          role,
          "--name",
          name ?? `e2e ${role}`,
          "--server",
          url,
          "--token",
          admin.token,
          "--ca",
          caCert,
          "--json",
        ],
        dir,
      )) as { token: string };
      return created.token;
    },
    api(method, path, body, token) {
      return httpsJson(`${url}${path}`, { method, body, token: token ?? admin.token, ca: caCert });
    },
    async kill9() {
      await plane.process.kill9();
    },
    async restart() {
      plane.process = await start();
    },
    async stop() {
      await plane.process.stop();
    },
  };
  return plane;
}
