/**
 * Agent benchmarks, each against a baseline measured in the same run:
 * - resident memory of the idle agent (`nixfleet agent` over mTLS to a control plane that wants nothing) vs a
 *   bare Node.js process idling on a timer; target ≤ 60 MB;
 * - CPU time per idle poll cycle vs one tick of the same empty timer loop.
 * Prints one JSON line per measure: {"name","value","unit","baseline","ratio"}.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { makeTestPki } from "../test/agent/tls.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const POLL_MS = 100;
const WARMUP_MS = 4000;
const MEASURE_MS = 10_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

/** utime + stime of a process, in milliseconds. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function line(name: string, value: number, unit: string, baseline: number): void {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline) })}\n`,
  );
}

interface Measured {
  rss: number;
  rssMax: number;
  baseRss: number;
  baseRssMax: number;
  cpuPerPoll: number;
  baseCpuPerTick: number;
  polls: number;
}

async function main(): Promise<void> {
  let polls = 0;
  const app = new Hono();
  app.get("/api/v1/agents/:id/desired", (c) => {
    polls++;
    return c.json({ machineId: c.req.param("id"), storePath: null, pollAfterMs: POLL_MS });
  });
  app.post("/api/v1/agents/:id/evidence", (c) => c.json({ ok: true }));
  app.post("/api/v1/agents/:id/report", (c) => c.body(null, 204));
  // Real mTLS, as deployed: the agent presents a client certificate signed by the fleet CA.
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-agent-bench-"));
  const pki = makeTestPki(dir, "bench-01");
  const server = createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener(app.fetch),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;

  const measure = async (label: string): Promise<Measured> => {
    const configFile = join(dir, `${label}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        machineId: "bench-01",
        controlPlaneUrl: `https://127.0.0.1:${port}`,
        tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.ca },
        pollIntervalMs: POLL_MS,
        jitter: 0,
        stateDir: join(dir, label, "state"),
        profilePath: join(dir, label, "profiles", "system"),
        currentSystemLink: join(dir, label, "current-system"),
        switchLockPath: join(dir, label, "switch.lock"),
        reportIntervalMs: 3_600_000,
        logLevel: "warn",
      }),
    );
    const env = { ...process.env, NODE_OPTIONS: "" };
    const agent = spawn(process.execPath, [CLI, "agent", "--config", configFile], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    // The baseline idles on a timer at the agent's poll interval, doing nothing per tick.
    const baseline = spawn(process.execPath, ["-e", `setInterval(() => {}, ${POLL_MS})`], {
      stdio: "ignore",
      env,
    });
    try {
      await sleep(WARMUP_MS);
      if (polls === 0) throw new Error("the agent never polled: is dist/ built (npm run build)?");
      const agentPid = agent.pid as number;
      const basePid = baseline.pid as number;
      const pollsBefore = polls;
      const agentCpuBefore = cpuMs(agentPid);
      const baseCpuBefore = cpuMs(basePid);
      const started = Date.now();
      // RSS moves with garbage collection: sample both processes through the window and report medians.
      const agentRss: number[] = [];
      const baseRss: number[] = [];
      while (Date.now() - started < MEASURE_MS) {
        await sleep(250);
        agentRss.push(rssMb(agentPid));
        baseRss.push(rssMb(basePid));
      }
      const elapsed = Date.now() - started;
      const agentPolls = polls - pollsBefore;
      const baseTicks = elapsed / POLL_MS;
      return {
        rss: median(agentRss),
        rssMax: Math.max(...agentRss),
        baseRss: median(baseRss),
        baseRssMax: Math.max(...baseRss),
        cpuPerPoll: (cpuMs(agentPid) - agentCpuBefore) / agentPolls,
        // One clock tick is the resolution: never report a baseline of 0.
        baseCpuPerTick: Math.max(cpuMs(basePid) - baseCpuBefore, 1000 / CLOCK_TICKS) / baseTicks,
        polls: agentPolls,
      };
    } finally {
      agent.kill("SIGTERM");
      baseline.kill("SIGKILL");
      await new Promise((r) => agent.once("close", r));
      polls = 0;
    }
  };

  try {
    const plain = await measure("agent");
    line("agent.idle.rss", plain.rss, "MB", plain.baseRss);
    line("agent.idle.rss_max", plain.rssMax, "MB", plain.baseRssMax);
    line("agent.idle.cpu_per_poll", plain.cpuPerPoll, "ms", plain.baseCpuPerTick);
    process.stderr.write(`# polls measured: ${plain.polls}\n`);
  } finally {
    server.close();
  }
}

await main();
