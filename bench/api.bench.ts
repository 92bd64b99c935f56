/**
 * Control-plane benchmarks (JSON lines {"name","value","unit","baseline","ratio"}; ratio = value / baseline).
 * - Agent check-in: GET /api/v1/agents/{id}/desired through the real auth path (machine token over plain HTTP,
 *   client certificate over mTLS), keep-alive, 64 connections, against a bare hono JSON endpoint served by the
 *   same server process in the same run. Targets: rps ratio ≥ 0.5; ≥ 40,000 req/s over plain HTTP.
 * - Evidence ingest: records/s through POST /api/v1/agents/{id}/evidence in batches of 1,000 over HTTP, against
 *   raw better-sqlite3 inserts of the same rows into the same table in one transaction. Target ratio ≥ 0.3.
 * The server runs in a child process (this file with --serve) so autocannon and the server do not share a thread.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { Hono } from "hono";
import pino from "pino";
import { createControlPlane } from "../api/app.js";
import { openMigrated } from "../api/db/client.js";
import { CONFIG_DEFAULTS, systemClock } from "../api/env.js";
import { systemContext } from "../api/services/context.js";
import { createToken } from "../api/services/createToken.js";
import { registerMachine } from "../api/services/registerMachine.js";
import { setDesiredGeneration } from "../api/services/setDesiredGeneration.js";
import { initCa, issueCertificate } from "../cli/ca.js";
import { canonicalHash, canonicalize } from "../evidence/canonical.js";
import { newId } from "../schemas/ids.js";

const MACHINE = "bench-01";

interface ServeInfo {
  httpPort: number;
  httpsPort: number;
  token: string;
  dir: string;
}

/** Child mode: one control plane (plus a bare endpoint) on HTTP and on HTTPS with mTLS. */
async function serveMode(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-bench-"));
  const ca = join(dir, "ca");
  await initCa(ca);
  await issueCertificate(ca, { serverHosts: ["127.0.0.1"], outDir: join(dir, "tls") });
  await issueCertificate(ca, { machineId: MACHINE, outDir: join(dir, "tls") });
  const db = openMigrated(join(dir, "state.db"));
  const ctx = systemContext(db, systemClock, "bench setup");
  registerMachine({ ctx, input: { id: MACHINE } });
  setDesiredGeneration({
    ctx,
    input: {
      machineId: MACHINE,
      storePath: `/nix/store/${"a".repeat(32)}-nixos-system-bench`,
      rolloutId: "rol_bench",
    },
  });
  const token = createToken({ ctx, input: { role: "agent", machineId: MACHINE } }).token;
  const caPem = readFileSync(join(ca, "ca.crt"));
  const plane = createControlPlane({
    db,
    clock: systemClock,
    keys: { clientCa: new X509Certificate(caPem) },
    logger: pino({ level: "silent" }),
    config: {
      ...CONFIG_DEFAULTS,
      listen: "127.0.0.1:0",
      db: join(dir, "state.db"),
      maxBodyBytes: 64 * 1024 * 1024,
    },
  });
  // The baseline: a bare hono JSON endpoint in front of the same app, served by the same servers.
  const outer = new Hono();
  outer.get("/bare", (c) => c.json({ machineId: MACHINE, storePath: null, pollAfterMs: 30000 }));
  outer.route("/", plane.app as unknown as Hono);
  const http = serve({
    fetch: outer.fetch,
    port: 0,
    hostname: "127.0.0.1",
    serverOptions: { keepAliveTimeout: 65_000 },
  });
  const https = serve({
    fetch: outer.fetch,
    port: 0,
    hostname: "127.0.0.1",
    createServer: createHttpsServer,
    serverOptions: {
      cert: readFileSync(join(dir, "tls", "server.crt")),
      key: readFileSync(join(dir, "tls", "server.key")),
      ca: caPem,
      requestCert: true,
      rejectUnauthorized: false,
      keepAliveTimeout: 65_000,
    },
  });
  await new Promise((r) => setTimeout(r, 200));
  const port = (s: typeof http) => (s.address() as { port: number }).port;
  const info: ServeInfo = { httpPort: port(http), httpsPort: port(https), token, dir };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

function line(name: string, value: number, unit: string, baseline: number): void {
  const round = (n: number) => Math.round(n * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline) })}\n`,
  );
}

async function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  await autocannon({ ...opts, duration: 1 }); // warm-up: JIT, keep-alive sockets, credential caches
  return autocannon({ ...opts, duration: 3 });
}

function post(
  agent: Agent,
  port: number,
  path: string,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function runtimePayload(collectedAt: string): Record<string, unknown> {
  return {
    machineId: MACHINE,
    collectedAt,
    hostName: MACHINE,
    platform: "nixos",
    bootId: randomBytes(16).toString("hex"),
    sysctl: {
      "kernel.kptr_restrict": "2",
      "kernel.dmesg_restrict": "1",
      "kernel.yama.ptrace_scope": "1",
      "net.ipv4.conf.all.rp_filter": "1",
      "net.ipv4.conf.all.accept_redirects": "0",
      "fs.protected_symlinks": "1",
    },
    failedUnits: [],
    units: { "sshd.service": "active", "nixfleet-agent.service": "active", "auditd.service": "active" },
  };
}

async function main(): Promise<void> {
  if (process.argv.includes("--serve")) return serveMode();
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--serve"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const info = await new Promise<ServeInfo>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0] ?? "") as ServeInfo);
    });
    child.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  try {
    const connections = 64;
    const desired = `/api/v1/agents/${MACHINE}/desired`;
    // Each pair (bare, check-in) is measured in alternating rounds and the best round of each is kept: on a shared
    // machine, load from other processes comes and goes within seconds and would otherwise land on one side only.
    const best = async (
      a: autocannon.Options,
      b: autocannon.Options,
    ): Promise<[autocannon.Result, autocannon.Result]> => {
      let bestA: autocannon.Result | undefined;
      let bestB: autocannon.Result | undefined;
      for (let round = 0; round < 3; round++) {
        const ra = await cannon(a);
        const rb = await cannon(b);
        if (rb.non2xx > 0) throw new Error(`check-in answered ${rb.non2xx} non-2xx`);
        if (!bestA || ra.requests.average > bestA.requests.average) bestA = ra;
        if (!bestB || rb.requests.average > bestB.requests.average) bestB = rb;
      }
      return [bestA as autocannon.Result, bestB as autocannon.Result];
    };
    // plain HTTP, machine token
    const [bareHttp, checkinHttp] = await best(
      { url: `http://127.0.0.1:${info.httpPort}/bare`, connections },
      {
        url: `http://127.0.0.1:${info.httpPort}${desired}`,
        connections,
        headers: { authorization: `Bearer ${info.token}` },
      },
    );
    line("api.checkin.http.requests_per_s", checkinHttp.requests.average, "req/s", bareHttp.requests.average);
    line("api.checkin.http.p99_latency", checkinHttp.latency.p99, "ms", bareHttp.latency.p99);
    // mTLS, agent certificate
    const tlsOptions = {
      cert: readFileSync(join(info.dir, "tls", `${MACHINE}.crt`)),
      key: readFileSync(join(info.dir, "tls", `${MACHINE}.key`)),
    };
    const [bareTls, checkinTls] = await best(
      { url: `https://127.0.0.1:${info.httpsPort}/bare`, connections, tlsOptions } as autocannon.Options,
      { url: `https://127.0.0.1:${info.httpsPort}${desired}`, connections, tlsOptions } as autocannon.Options,
    );
    line("api.checkin.mtls.requests_per_s", checkinTls.requests.average, "req/s", bareTls.requests.average);
    line("api.checkin.mtls.p99_latency", checkinTls.latency.p99, "ms", bareTls.latency.p99);

    // evidence ingest: 60 batches × 1,000 records over 2 keep-alive connections
    const batches = 60;
    const perBatch = 1000;
    const collectedAt = new Date().toISOString();
    const bodies = Array.from({ length: batches }, (_, b) =>
      JSON.stringify({
        machineId: MACHINE,
        items: Array.from({ length: perBatch }, (_, i) => ({
          idempotencyKey: `bench-${b}-${i}-${randomBytes(4).toString("hex")}`,
          kind: "runtime-report",
          collectedAt,
          payload: runtimePayload(collectedAt),
        })),
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    await post(agent, info.httpPort, `/api/v1/agents/${MACHINE}/evidence`, info.token, bodies[0] ?? ""); // warm-up batch
    let next = 1;
    const started = performance.now();
    await Promise.all(
      [0, 1].map(async () => {
        while (next < batches) {
          const body = bodies[next++] ?? "";
          const r = await post(agent, info.httpPort, `/api/v1/agents/${MACHINE}/evidence`, info.token, body);
          if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.text.slice(0, 300)}`);
        }
      }),
    );
    const apiRate = ((batches - 1) * perBatch) / ((performance.now() - started) / 1000);
    agent.destroy();

    // baseline: the same rows, raw prepared inserts in one transaction, into the same table of a fresh database
    const raw = openMigrated(join(info.dir, "raw.db"));
    const insert = raw.sqlite.prepare(
      `INSERT INTO evidence_items (id, machine_id, idempotency_key, kind, collected_at, received_at, sha256, payload, control_id, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (machine_id, idempotency_key) DO NOTHING`,
    );
    const rows = bodies
      .slice(1)
      .flatMap((b) =>
        (JSON.parse(b) as { items: { idempotencyKey: string; payload: unknown }[] }).items.map((item) => [
          newId("evd"),
          MACHINE,
          item.idempotencyKey,
          "runtime-report",
          Date.parse(collectedAt),
          Date.now(),
          canonicalHash(item.payload),
          canonicalize(item.payload),
          null,
          null,
        ]),
      );
    const rawStarted = performance.now();
    raw.sqlite.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
    const rawRate = rows.length / ((performance.now() - rawStarted) / 1000);
    raw.sqlite.close();
    line("api.evidence.ingest_records_per_s", apiRate, "records/s", rawRate);
  } finally {
    child.kill("SIGTERM");
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`api.bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
