import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthCheck } from "../../schemas/generated/health-check.js";
import { validate } from "../../schemas/registry.js";
import { writeFakeSystemctl } from "../../test/agent/fixtures.js";
import { makeTestPki, type TestPki } from "../../test/agent/tls.js";
import { healthVerdict, runHealthCheck, runHealthChecks } from "./runner.js";

const dir = mkdtempSync(join(tmpdir(), "nixfleet-health-"));
const binDir = join(dir, "bin");
const unitsDir = join(dir, "units");
let env: NodeJS.ProcessEnv;
let pki: TestPki;
let http: Server;
let https: Server;
let httpPort = 0;
let httpsPort = 0;

const run = (check: HealthCheck) =>
  runHealthCheck(check, { env, overallTimeoutMs: 20_000, signal: new AbortController().signal });

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(binDir, { recursive: true });
  writeFakeSystemctl(binDir, unitsDir);
  // A fake launchctl (launchd cannot exist here) behind the real command line `launchctl print system/<label>`.
  writeFileSync(
    join(binDir, "launchctl"),
    `#!/bin/sh\n[ "$1" = print ] || exit 64\ncase "$2" in\n  system/org.nixos.running) printf 'system/org.nixos.running = {\\n\\tstate = running\\n\\tpid = 42\\n}\\n' ;;\n  system/org.nixos.waiting) printf 'system/org.nixos.waiting = {\\n\\tstate = waiting\\n}\\n' ;;\n  *) echo "Could not find service" >&2; exit 113 ;;\nesac\n`,
  );
  chmodSync(join(binDir, "launchctl"), 0o755);
  env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` };
  pki = makeTestPki(dir);
  const handler = (req: { url?: string }, res: { statusCode: number; end: (b: string) => void }) => {
    res.statusCode = req.url === "/broken" ? 503 : 200;
    res.end(req.url === "/health" ? '{"status":"ok","db":"up"}' : "nope");
  };
  http = createHttpServer(handler);
  https = createHttpsServer(
    { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) },
    handler,
  );
  httpPort = await listen(http);
  httpsPort = await listen(https);
});

afterAll(() => {
  http.close();
  https.close();
});

describe("health-check kinds", () => {
  it("systemd: active passes, failed fails, an unknown unit is inconclusive", async () => {
    writeFileSync(join(unitsDir, "ok.service"), "active\n");
    writeFileSync(join(unitsDir, "bad.service"), "failed\n");
    expect(await run({ name: "ok", kind: "systemd", unit: "ok.service", retries: 0 })).toMatchObject({
      status: "pass",
      attempts: 1,
    });
    expect(await run({ name: "bad", kind: "systemd", unit: "bad.service", retries: 0 })).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/bad.service is failed/),
    });
    expect(
      await run({ name: "none", kind: "systemd", unit: "none.service", retries: 1, intervalMs: 0 }),
    ).toMatchObject({ status: "error", attempts: 2 });
  });

  it("launchd: running passes, waiting and unknown jobs fail, a missing launchctl is inconclusive", async () => {
    expect(await run({ name: "l1", kind: "launchd", label: "org.nixos.running", retries: 0 })).toMatchObject({
      status: "pass",
    });
    expect(await run({ name: "l2", kind: "launchd", label: "org.nixos.waiting", retries: 0 })).toMatchObject({
      status: "fail",
      message: "system/org.nixos.waiting is waiting (after 1 attempt)",
    });
    expect(await run({ name: "l3", kind: "launchd", label: "org.nixos.absent", retries: 0 })).toMatchObject({
      status: "fail",
    });
    const noLaunchctl = await runHealthCheck(
      { name: "l4", kind: "launchd", label: "x", retries: 0 },
      { env: { PATH: "/nonexistent" }, overallTimeoutMs: 5000, signal: new AbortController().signal },
    );
    expect(noLaunchctl.status).toBe("error");
  });

  it("http: status, body match, and TLS verified against a CA file", async () => {
    expect(
      await run({
        name: "h1",
        kind: "http",
        url: `http://127.0.0.1:${httpPort}/health`,
        bodyMatch: '"db":"up"',
        retries: 0,
      }),
    ).toMatchObject({ status: "pass" });
    expect(
      await run({ name: "h2", kind: "http", url: `http://127.0.0.1:${httpPort}/broken`, retries: 0 }),
    ).toMatchObject({ status: "fail", message: expect.stringMatching(/status 503, expected 200/) });
    expect(
      await run({
        name: "h3",
        kind: "http",
        url: `http://127.0.0.1:${httpPort}/health`,
        bodyMatch: "down",
        retries: 0,
      }),
    ).toMatchObject({ status: "fail" });
    const tls = `https://127.0.0.1:${httpsPort}/health`;
    expect(await run({ name: "h4", kind: "http", url: tls, caFile: pki.ca, retries: 0 })).toMatchObject({
      status: "pass",
    });
    // Without the CA the certificate is not trusted; insecureTls accepts it.
    expect(await run({ name: "h5", kind: "http", url: tls, retries: 0 })).toMatchObject({ status: "fail" });
    expect(await run({ name: "h6", kind: "http", url: tls, insecureTls: true, retries: 0 })).toMatchObject({
      status: "pass",
    });
    expect(
      await run({ name: "h7", kind: "http", url: tls, caFile: join(dir, "missing.pem"), retries: 0 }),
    ).toMatchObject({ status: "error" });
  });

  it("tcp: a listening port passes, a closed one fails", async () => {
    const server = createTcpServer((s) => s.end());
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    expect(await run({ name: "t1", kind: "tcp", host: "127.0.0.1", port, retries: 0 })).toMatchObject({
      status: "pass",
    });
    server.close();
    await new Promise((r) => server.once("close", r));
    expect(await run({ name: "t2", kind: "tcp", host: "127.0.0.1", port, retries: 0 })).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it("command: exit code, a command that cannot start is inconclusive, a timeout fails", async () => {
    expect(await run({ name: "c1", kind: "command", command: ["true"], retries: 0 })).toMatchObject({
      status: "pass",
    });
    expect(
      await run({ name: "c2", kind: "command", command: ["sh", "-c", "exit 3"], expectExit: 3, retries: 0 }),
    ).toMatchObject({ status: "pass" });
    expect(await run({ name: "c3", kind: "command", command: ["false"], retries: 0 })).toMatchObject({
      status: "fail",
    });
    expect(
      await run({ name: "c4", kind: "command", command: [join(dir, "no-such-binary")], retries: 0 }),
    ).toMatchObject({ status: "error" });
    expect(
      await run({ name: "c5", kind: "command", command: ["sleep", "5"], timeoutMs: 100, retries: 0 }),
    ).toMatchObject({ status: "fail", message: expect.stringMatching(/timed out/) });
  });
});

describe("retries, failure limit, parallel runs", () => {
  it("passes once a flapping check recovers within its retries", async () => {
    const counter = join(dir, "flap");
    writeFileSync(counter, "");
    const check: HealthCheck = {
      name: "flap",
      kind: "command",
      command: ["sh", "-c", `echo x >> ${counter}; [ $(wc -l < ${counter}) -ge 3 ]`],
      retries: 5,
      intervalMs: 10,
      failureThreshold: 5,
    };
    expect(await run(check)).toMatchObject({ status: "pass", attempts: 3 });
  });

  it("fails at the consecutive-failure limit before using all retries", async () => {
    expect(
      await run({
        name: "down",
        kind: "command",
        command: ["false"],
        retries: 10,
        intervalMs: 10,
        failureThreshold: 2,
      }),
    ).toMatchObject({ status: "fail", attempts: 2 });
  });

  it("fails when retries run out below the failure limit", async () => {
    expect(
      await run({
        name: "short",
        kind: "command",
        command: ["false"],
        retries: 1,
        intervalMs: 10,
        failureThreshold: 5,
      }),
    ).toMatchObject({ status: "fail", attempts: 2 });
  });

  it("runs checks in parallel and returns schema-valid results; the verdict keeps inconclusive apart", async () => {
    const log = join(dir, "parallel.log");
    writeFileSync(log, "");
    const slow = (n: string): HealthCheck => ({
      name: n,
      kind: "command",
      command: ["sh", "-c", `echo start-${n} >> ${log}; sleep 0.3; echo end-${n} >> ${log}`],
      retries: 0,
    });
    const results = await runHealthChecks([slow("a"), slow("b")], { env, overallTimeoutMs: 10_000 });
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines.slice(0, 2).sort()).toEqual(["start-a", "start-b"]);
    for (const r of results) validate("health-check-result", r);
    expect(healthVerdict(results)).toBe("passed");
    const mixed = await runHealthChecks(
      [
        { name: "x", kind: "command", command: [join(dir, "absent")], retries: 0 },
        { name: "y", kind: "command", command: ["true"], retries: 0 },
      ],
      { env, overallTimeoutMs: 10_000 },
    );
    expect(healthVerdict(mixed)).toBe("inconclusive");
  });

  it("ends unfinished checks when the overall time runs out", async () => {
    const [result] = await runHealthChecks(
      [{ name: "late", kind: "command", command: ["true"], initialDelayMs: 10_000 }],
      { env, overallTimeoutMs: 100 },
    );
    expect(result).toMatchObject({
      status: "error",
      attempts: 0,
      message: expect.stringMatching(/time ran out/),
    });
  });
});
