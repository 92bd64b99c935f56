/**
 * The dedicated agent listener (`--agent-listen`, ADR 0840) over real sockets, with certificates from the real CA
 * code (cli/ca.ts): the TLS handshake refuses a client without a certificate or with a foreign CA's, a valid agent
 * certificate reads and writes its own machine only, the port serves nothing but agent routes and /healthz, a
 * bearer token there identifies nobody, and the people port beside it neither asks for certificates nor serves
 * agent routes. Configuration rules and the listening line through the compiled CLI.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import { connect } from "node:tls";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../api/env.js";
import { resources } from "../../api/resources.js";
import {
  agentRouteMatcher,
  type RunningServer,
  resolveServerConfig,
  ServerConfigError,
  startServer,
} from "../../api/server.js";
import { systemContext } from "../../api/services/context.js";
import { createToken } from "../../api/services/createToken.js";
import { initCa, issueCertificate, revokeIssued } from "../../cli/ca.js";
import { nixfleet, spawnServer, tempDir } from "./cli-helpers.js";

const dir = tempDir("nixfleet-agent-listener-");
const caDir = join(dir, "ca");
const rogueDir = join(dir, "rogue");
const dbPath = join(dir, "state.db");
let running: RunningServer;
let caCert: Buffer;
let admin = "";
/** an agent token bound to web-b: a valid credential, but not on the agent port */
let webBToken = "";

interface Pem {
  cert: Buffer;
  key: Buffer;
}
const pem = (base: string): Pem => ({ cert: readFileSync(`${base}.crt`), key: readFileSync(`${base}.key`) });
const agentA = () => pem(join(caDir, "issued", "web-a"));
const agentB = () => pem(join(caDir, "issued", "web-b"));
const agentC = () => pem(join(caDir, "issued", "web-c"));
const forgedA = () => pem(join(rogueDir, "issued", "web-a"));

type Outcome =
  | { kind: "answer"; status: number; type: string; body: string }
  | { kind: "refused"; code: string; message: string };

/** One HTTPS request on a fresh connection; a TLS or socket failure is an outcome, not a rejection. */
function attempt(
  url: string,
  options: { client?: Pem; token?: string; method?: string; body?: unknown; rawPath?: string } = {},
): Promise<Outcome> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.rawPath ?? `${target.pathname}${target.search}`,
        method: options.method ?? "GET",
        ca: caCert,
        agent: false,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { "content-type": "application/json" } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () =>
          resolve({
            kind: "answer",
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body,
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve({ kind: "refused", code: err.code ?? "unknown", message: err.message }),
    );
    req.end(payload);
  });
}

/** A raw TLS connection: did the handshake complete from the client's side, and how did the connection end? */
function handshake(
  port: number,
  options: { client?: Pem; maxVersion?: "TLSv1.2" | "TLSv1.3" } = {},
): Promise<{ secureConnected: boolean; code: string | null }> {
  return new Promise((resolve) => {
    let secureConnected = false;
    const socket = connect({
      host: "127.0.0.1",
      port,
      ca: caCert,
      ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    });
    socket.setTimeout(15_000, () =>
      socket.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    socket.once("secureConnect", () => {
      secureConnected = true;
      // TLS 1.3 verifies the client's certificate after the client's Finished: send a request, read the verdict.
      socket.write("GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    });
    socket.on("data", () => {});
    socket.once("error", (err: NodeJS.ErrnoException) =>
      resolve({ secureConnected, code: err.code ?? "unknown" }),
    );
    socket.once("close", () => resolve({ secureConnected, code: null }));
  });
}

/** What an unauthenticated or forged client may see from the agent port: the TLS layer's refusal, never HTTP. */
const REFUSED_NO_CERT = ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ECONNRESET", "EPIPE"];
const REFUSED_FOREIGN_CA = ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "ECONNRESET", "EPIPE"];

const agentUrl = (path: string) => `${running.agentUrl}${path}`;
const peopleUrl = (path: string) => `${running.url}${path}`;

async function answer(url: string, options: Parameters<typeof attempt>[1] = {}) {
  const outcome = await attempt(url, options);
  if (outcome.kind !== "answer")
    throw new Error(`${url}: expected an HTTP answer, got ${outcome.code} ${outcome.message}`);
  return outcome;
}

async function metricsText(): Promise<string> {
  return (await answer(peopleUrl("/metrics"), { token: admin })).body;
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(" ").pop()) : 0;
}

beforeAll(async () => {
  await initCa(caDir);
  await issueCertificate(caDir, { serverHosts: ["127.0.0.1", "localhost"] });
  for (const machineId of ["web-a", "web-b", "web-c"]) await issueCertificate(caDir, { machineId });
  await initCa(rogueDir, "Rogue CA");
  await issueCertificate(rogueDir, { machineId: "web-a" });
  caCert = readFileSync(join(caDir, "ca.crt"));
  const config = resolveServerConfig({
    listen: "127.0.0.1:0",
    agentListen: "127.0.0.1:0",
    db: dbPath,
    tls: {
      cert: join(caDir, "issued", "server.crt"),
      key: join(caDir, "issued", "server.key"),
      clientCa: join(caDir, "ca.crt"),
    },
    credentialCacheTtlMs: 100,
    logLevel: "silent",
  });
  running = await startServer(config, { logger: pino({ level: "silent" }) });
  const ctx = systemContext(running.db, systemClock, "agent listener test");
  admin = createToken({ ctx, input: { role: "admin" } }).token;
  for (const id of ["web-a", "web-b", "web-c"]) {
    const r = await answer(peopleUrl("/api/v1/machines"), { token: admin, method: "POST", body: { id } });
    if (r.status !== 201) throw new Error(r.body);
  }
  webBToken = createToken({ ctx, input: { role: "agent", machineId: "web-b" } }).token;
}, 120_000);

afterAll(async () => {
  await running?.close(2_000);
});

describe("the agent listener's TLS handshake", () => {
  it("listens on its own https port beside the people port", () => {
    expect(running.agentUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(running.agentPort).not.toBe(running.port);
    expect(running.url).toMatch(/^https:/);
  });

  it("refuses a client without a certificate at the handshake: a TLS error, no HTTP status", async () => {
    const before = metricValue(
      await metricsText(),
      "nixfleet_tls_handshake_failures_total",
      'listener="agent"',
    );
    const outcome = await attempt(agentUrl("/api/v1/agents/web-a/desired"));
    expect(outcome.kind).toBe("refused");
    if (outcome.kind === "refused") expect(REFUSED_NO_CERT).toContain(outcome.code);
    // with TLS 1.2 the refusal comes before the client considers the handshake complete
    const tls12 = await handshake(running.agentPort ?? 0, { maxVersion: "TLSv1.2" });
    expect(tls12.secureConnected).toBe(false);
    expect(tls12.code).toMatch(/^ERR_SSL_|^ECONNRESET$/);
    // with TLS 1.3 the server's alert arrives right after the client's Finished, before any HTTP
    const tls13 = await handshake(running.agentPort ?? 0);
    expect(REFUSED_NO_CERT).toContain(tls13.code);
    // even liveness is out of reach without a certificate
    expect((await attempt(agentUrl("/healthz"))).kind).toBe("refused");
    const after = metricValue(
      await metricsText(),
      "nixfleet_tls_handshake_failures_total",
      'listener="agent"',
    );
    expect(after - before).toBeGreaterThanOrEqual(4);
  });

  it("refuses a certificate for the same machine id from a foreign CA at the handshake", async () => {
    const outcome = await attempt(agentUrl("/api/v1/agents/web-a/desired"), { client: forgedA() });
    expect(outcome.kind).toBe("refused");
    if (outcome.kind === "refused") expect(REFUSED_FOREIGN_CA).toContain(outcome.code);
    const tls12 = await handshake(running.agentPort ?? 0, { client: forgedA(), maxVersion: "TLSv1.2" });
    expect(tls12.secureConnected).toBe(false);
    expect(tls12.code).toMatch(/^ERR_SSL_|^ECONNRESET$/);
    const text = await metricsText();
    expect(metricValue(text, "nixfleet_tls_handshake_failures_total", 'listener="agent"')).toBeGreaterThan(0);
  });

  it("completes the handshake for a certificate from the client CA", async () => {
    const ok = await handshake(running.agentPort ?? 0, { client: agentA() });
    expect(ok.secureConnected).toBe(true);
    expect(ok.code).toBeNull();
  });
});

describe("what the agent listener serves", () => {
  it("serves an agent its desired generation and takes its report", async () => {
    const storePath = `/nix/store/${"a".repeat(32)}-nixos-system-web-a`;
    const pin = await answer(peopleUrl("/api/v1/machines/web-a/desired"), {
      token: admin,
      method: "PUT",
      body: { storePath },
    });
    expect(pin.status, pin.body).toBe(200);
    const desired = await answer(agentUrl("/api/v1/agents/web-a/desired"), { client: agentA() });
    expect(desired.status, desired.body).toBe(200);
    expect(JSON.parse(desired.body)).toMatchObject({ machineId: "web-a", storePath });
    const report = await answer(agentUrl("/api/v1/agents/web-a/report"), {
      client: agentA(),
      method: "POST",
      body: { machineId: "web-a", state: "idle", reportedAt: new Date().toISOString() },
    });
    expect(report.status, report.body).toBe(202);
    const seen = await answer(peopleUrl("/api/v1/machines/web-a"), { token: admin });
    expect(JSON.parse(seen.body).lastSeenAt).toEqual(expect.any(String));
    expect((await answer(agentUrl("/healthz"), { client: agentA() })).status).toBe(200);
  });

  it("still refuses machine A's certificate on machine B (403)", async () => {
    const other = await answer(agentUrl("/api/v1/agents/web-b/desired"), { client: agentA() });
    expect(other.status).toBe(403);
    expect(other.type).toContain("application/problem+json");
    const write = await answer(agentUrl("/api/v1/agents/web-b/report"), {
      client: agentA(),
      method: "POST",
      body: { machineId: "web-b", state: "idle", reportedAt: new Date().toISOString() },
    });
    expect(write.status).toBe(403);
  });

  it("answers 404 problem+json for every route that is not an agent route, however the path is spelled", async () => {
    const paths: [string, string][] = [
      ["GET", "/api/v1/machines"],
      ["GET", "/api/v1/machines/web-a"],
      ["PUT", "/api/v1/machines/web-a/desired"],
      ["GET", "/api/v1/audit"],
      ["GET", "/api/v1/openapi.json"],
      ["GET", "/api/v1/docs"],
      ["GET", "/metrics"],
      ["GET", "/readyz"],
      ["POST", "/api/v1/tokens"],
      ["GET", "/api/v1/agents/web-a/desired/"],
      ["POST", "/api/v1/agents/web-a/desired"],
      ["GET", "/api/v1/agents/web-a/../../machines"],
      ["GET", "/api/v1/%6Dachines"],
      ["GET", "/api/v1/agents/web-a/%2e%2e/%2e%2e/machines"],
    ];
    for (const [method, rawPath] of paths) {
      const r = await answer(agentUrl("/"), { client: agentA(), token: admin, method, rawPath });
      expect(r.status, `${method} ${rawPath}: ${r.body}`).toBe(404);
      expect(r.type, rawPath).toContain("application/problem+json");
      expect(JSON.parse(r.body)).toMatchObject({ status: 404, title: "Not found" });
    }
    // an absolute-form request target is judged by its path too
    const absolute = await answer(agentUrl("/"), {
      client: agentA(),
      token: admin,
      rawPath: `${running.url}/api/v1/machines`,
    });
    expect(absolute.status).toBe(404);
  });

  it("does not let a bearer token authenticate: the certificate is the only identity", async () => {
    // web-b's own agent token with web-a's certificate: the token is ignored, the certificate (web-a) decides
    const withToken = await answer(agentUrl("/api/v1/agents/web-b/desired"), {
      client: agentA(),
      token: webBToken,
    });
    expect(withToken.status, withToken.body).toBe(403);
    // an admin token changes nothing either
    const adminToken = await answer(agentUrl("/api/v1/agents/web-b/desired"), {
      client: agentA(),
      token: admin,
    });
    expect(adminToken.status).toBe(403);
    // a malformed Authorization header is not even read
    const malformed = await answer(agentUrl("/api/v1/agents/web-a/desired"), {
      client: agentA(),
      token: "x",
    });
    expect(malformed.status).toBe(200);
    // web-b's certificate, of course, is let in
    expect((await answer(agentUrl("/api/v1/agents/web-b/desired"), { client: agentB() })).status).toBe(200);
  });

  it("refuses a revoked certificate (401 after the handshake, as on the shared port) within the cache TTL", async () => {
    expect((await answer(agentUrl("/api/v1/agents/web-c/desired"), { client: agentC() })).status).toBe(200);
    revokeIssued(caDir, dbPath, { machineId: "web-c" }, "test");
    let last = 0;
    for (let i = 0; i < 100 && last !== 401; i++) {
      await new Promise((r) => setTimeout(r, 100));
      last = (await answer(agentUrl("/api/v1/agents/web-c/desired"), { client: agentC() })).status;
    }
    expect(last).toBe(401);
    const refused = await answer(agentUrl("/api/v1/agents/web-c/desired"), { client: agentC() });
    expect(JSON.parse(refused.body).detail).toContain("revoked");
    expect((await answer(agentUrl("/api/v1/agents/web-a/desired"), { client: agentA() })).status).toBe(200);
  });

  it("labels requests in /metrics by the listener that served them", async () => {
    const text = await metricsText();
    expect(metricValue(text, "nixfleet_listener_requests_total", 'listener="agent"')).toBeGreaterThan(10);
    expect(metricValue(text, "nixfleet_listener_requests_total", 'listener="api"')).toBeGreaterThan(3);
  });
});

describe("the people port beside an agent listener", () => {
  it("serves people's routes with bearer tokens", async () => {
    const list = await answer(peopleUrl("/api/v1/machines"), { token: admin });
    expect(list.status).toBe(200);
    expect((await answer(peopleUrl("/readyz"))).status).toBe(200);
    expect((await answer(peopleUrl("/healthz"))).status).toBe(200);
  });

  it("does not serve agent routes (404 naming the agent listener), whatever the credential", async () => {
    for (const options of [{ client: agentA() }, { token: webBToken }, { token: admin }, {}]) {
      const r = await answer(peopleUrl("/api/v1/agents/web-a/desired"), options);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body).detail).toContain(running.agentUrl);
    }
    const encoded = await answer(peopleUrl("/"), {
      client: agentA(),
      rawPath: "/api/v1/%61gents/web-a/desired",
    });
    expect(encoded.status).toBe(404);
  });

  it("asks for no client certificate, so one presented identifies nobody there", async () => {
    const asPerson = await answer(peopleUrl("/api/v1/machines"), { client: agentA() });
    expect(asPerson.status).toBe(401);
    // the handshake without a certificate completes: people need none
    const plain = await handshake(running.port);
    expect(plain.secureConnected).toBe(true);
  });
});

describe("agentRouteMatcher", () => {
  const matches = agentRouteMatcher(resources.flatMap((r) => r.operations));
  it("matches exactly the agent operations by method and path", () => {
    expect(matches("GET", "/api/v1/agents/web-a/desired")).toBe(true);
    expect(matches("HEAD", "/api/v1/agents/web-a/desired")).toBe(true);
    expect(matches("POST", "/api/v1/agents/web-a/report")).toBe(true);
    expect(matches("POST", "/api/v1/agents/web-a/confirm")).toBe(true);
    expect(matches("POST", "/api/v1/agents/web-a/evidence")).toBe(true);
    expect(matches("GET", "/api/v1/agents/web-a/report")).toBe(false);
    expect(matches("GET", "/api/v1/agents/../desired")).toBe(false);
    expect(matches("GET", "/api/v1/agents/a/b/desired")).toBe(false);
    expect(matches("GET", "/api/v1/agents/web-a/desired/")).toBe(false);
    expect(matches("GET", "/api/v1/machines")).toBe(false);
    expect(matches("GET", "/healthz")).toBe(false);
  });
});

describe("configuration", () => {
  const tls = () => ({
    cert: join(caDir, "issued", "server.crt"),
    key: join(caDir, "issued", "server.key"),
    clientCa: join(caDir, "ca.crt"),
  });

  it("needs TLS with a client CA, and a port of its own", () => {
    const base = { listen: "127.0.0.1:0", db: join(dir, "c.db"), agentListen: "127.0.0.1:0" };
    expect(() => resolveServerConfig(base)).toThrow(
      /--agent-listen needs --tls-cert, --tls-key and --client-ca/,
    );
    const { clientCa: _unused, ...noCa } = tls();
    expect(() => resolveServerConfig({ ...base, tls: noCa })).toThrow(ServerConfigError);
    expect(() =>
      resolveServerConfig({ ...base, listen: "127.0.0.1:8443", agentListen: "127.0.0.1:8443", tls: tls() }),
    ).toThrow(/needs a port of its own/);
    expect(resolveServerConfig({ ...base, tls: tls() }).agentListen).toBe("127.0.0.1:0");
  });

  it("exits 2 with a clear message when --agent-listen lacks TLS or the client CA", async () => {
    const noTls = await nixfleet(["server", "--db", join(dir, "d.db"), "--agent-listen", "127.0.0.1:0"]);
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toContain("--agent-listen needs --tls-cert, --tls-key and --client-ca");
    const noCa = await nixfleet(
      ["server", "--db", join(dir, "d.db"), "--tls-cert", tls().cert, "--tls-key", tls().key],
      { NIXFLEET_AGENT_LISTEN: "127.0.0.1:0" },
    );
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toContain("--client-ca");
  });

  it("validates agentListen from the environment and the config file against the schema (exit 2 naming the path)", async () => {
    const env = await nixfleet(["server", "--db", join(dir, "e.db")], { NIXFLEET_AGENT_LISTEN: "nowhere" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("/agentListen");
    const file = join(dir, "bad-agent-listen.json");
    writeFileSync(file, JSON.stringify({ listen: "127.0.0.1:0", db: join(dir, "f.db"), agentListen: 8444 }));
    const fromFile = await nixfleet(["server", "--config", file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(file);
    expect(fromFile.stderr).toContain("/agentListen");
  });

  it("exits 2 naming the agent port when it is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const r = await nixfleet([
        "server",
        "--db",
        join(dir, "g.db"),
        "--listen",
        "127.0.0.1:0",
        "--agent-listen",
        `127.0.0.1:${taken}`,
        "--tls-cert",
        tls().cert,
        "--tls-key",
        tls().key,
        "--client-ca",
        tls().clientCa,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on --agent-listen 127.0.0.1:${taken}`);
    } finally {
      blocker.close();
    }
  });

  it("`nixfleet server` from a YAML config file prints both URLs and stops both ports on SIGTERM", async () => {
    const file = join(dir, "server.yaml");
    writeFileSync(
      file,
      [
        "listen: 127.0.0.1:0",
        "agentListen: 127.0.0.1:0",
        `db: ${join(dir, "h.db")}`,
        "tls:",
        `  cert: ${tls().cert}`,
        `  key: ${tls().key}`,
        `  clientCa: ${tls().clientCa}`,
        "",
      ].join("\n"),
    );
    const server = await spawnServer(["--config", file]);
    const line = server
      .output()
      .split("\n")
      .find((l) => l.startsWith("{") && l.includes('"agentUrl"'));
    const info = JSON.parse(line ?? "{}") as { agentUrl?: string; agentPort?: number };
    expect(info.agentUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.agentPort).not.toBe(server.port);
    const ok = await attempt(`${info.agentUrl}/healthz`, { client: agentA() });
    expect(ok).toMatchObject({ kind: "answer", status: 200 });
    expect((await attempt(`${info.agentUrl}/healthz`)).kind).toBe("refused");
    expect(await server.stop()).toBe(0);
    expect(await attempt(`${info.agentUrl}/healthz`, { client: agentA() })).toMatchObject({
      code: "ECONNREFUSED",
    });
    expect(await attempt(`${server.url}/healthz`)).toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("graceful close", () => {
  it("close() stops both ports and the database", async () => {
    const port = running.port;
    const agentPort = running.agentPort;
    await running.close(2_000);
    expect(await attempt(`https://127.0.0.1:${port}/healthz`)).toMatchObject({ code: "ECONNREFUSED" });
    expect(await attempt(`https://127.0.0.1:${agentPort}/healthz`, { client: agentA() })).toMatchObject({
      code: "ECONNREFUSED",
    });
    expect(running.db.sqlite.open).toBe(false);
  });
});
