/**
 * compliance-check benchmarks, each against a baseline measured in the same run (medians, runs interleaved):
 * - 1,000 hosts' facts with every control (table output): the business function in-process, and the CLI end to
 *   end; baseline: reading and parsing the same facts file (in-process / a bare `node -e`), the floor any
 *   checker pays. Target: ≤ 1 s.
 * - 1,000 hosts with the JSON report, which seals one evidence record (RFC 8785 + SHA-256) per result.
 * - one host through the CLI vs a bare `node -e 0`. Target: ≤ 4× the bare Node start-up.
 * Prints one JSON line per measure: {"name","value","unit","baseline","ratio"}; targets and misses go to stderr.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runComplianceCheck } from "../cli/compliance.js";

const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const HOSTS = 1000;
const RUNS_FLEET = Number(process.env.BENCH_RUNS_FLEET ?? 5);
const RUNS_START = Number(process.env.BENCH_RUNS_START ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function line(name: string, value: number, unit: string, baseline: number): void {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline) })}\n`,
  );
}

function target(name: string, ok: boolean, detail: string): void {
  process.stderr.write(`# ${name}: ${ok ? "target met" : "TARGET MISSED"} (${detail})\n`);
}

/** Wall time of a child process, in ms; throws when it exits with an unexpected code. */
function timeProcess(args: string[], expectedCode: number): number {
  const start = performance.now();
  const proc = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const elapsed = performance.now() - start;
  if (proc.status !== expectedCode)
    throw new Error(`${args.join(" ")} exited ${proc.status}, expected ${expectedCode}: ${proc.stderr}`);
  return elapsed;
}

async function main(): Promise<void> {
  // A 1,000-host fleet from the four example hosts (hardened, insecure, database, darwin), renamed.
  const examples = Object.values(
    JSON.parse(readFileSync(join(ROOT, "examples/fleet/fleet.json"), "utf8")) as Record<
      string,
      { nixfleet: { meta: { hostName: string } } }
    >,
  );
  const fleet: Record<string, unknown> = {};
  for (let i = 0; i < HOSTS; i++) {
    const facts = structuredClone(examples[i % examples.length]!);
    const name = `host-${String(i).padStart(4, "0")}`;
    facts.nixfleet.meta.hostName = name;
    fleet[name] = facts;
  }
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-bench-compliance-"));
  const fleetFile = join(dir, "fleet.json");
  writeFileSync(fleetFile, JSON.stringify(fleet));
  const single = join(ROOT, "examples/fleet/hardened.json");

  // (a) in-process: the business function vs reading + parsing the same file.
  await runComplianceCheck({ facts: fleetFile, format: "table" }); // warm-up: schema compilation, JIT
  const fn: number[] = [];
  const parse: number[] = [];
  // CPU time as well as wall time: on a shared 2-core machine wall time mostly measures the neighbours.
  const fnCpu: number[] = [];
  const parseCpu: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let controls = 0;
  let results = 0;
  for (let i = 0; i < RUNS_FLEET; i++) {
    let t = performance.now();
    let c = cpuMs();
    JSON.parse(readFileSync(fleetFile, "utf8"));
    parse.push(performance.now() - t);
    parseCpu.push(cpuMs() - c);
    t = performance.now();
    c = cpuMs();
    const outcome = await runComplianceCheck({ facts: fleetFile, format: "table" });
    fn.push(performance.now() - t);
    fnCpu.push(cpuMs() - c);
    controls = outcome.controls.length;
    results = outcome.report.results.length;
  }
  line(`compliance-check.${HOSTS}-hosts.function`, median(fn), "ms", median(parse));
  line(`compliance-check.${HOSTS}-hosts.function.cpu`, median(fnCpu), "ms", median(parseCpu));
  target(
    `${HOSTS} hosts × ${controls} controls (${results} results), in-process`,
    median(fn) <= 1000,
    `${median(fn).toFixed(0)} ms ≤ 1000 ms`,
  );

  // JSON report: one sealed evidence record per result (canonical JSON + SHA-256) — the audit-grade output.
  const json: number[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(RUNS_FLEET / 2)); i++) {
    const t = performance.now();
    await runComplianceCheck({ facts: fleetFile, format: "json" });
    json.push(performance.now() - t);
  }
  line(`compliance-check.${HOSTS}-hosts.function.json-with-evidence`, median(json), "ms", median(fn));

  // (a) CLI end to end vs a bare node that reads and parses the same file.
  const cli: number[] = [];
  const bareParse: number[] = [];
  const parseScript = `JSON.parse(require("node:fs").readFileSync(${JSON.stringify(fleetFile)}, "utf8"))`;
  for (let i = 0; i < RUNS_FLEET; i++) {
    bareParse.push(timeProcess(["-e", parseScript], 0));
    cli.push(timeProcess([CLI, "compliance-check", "--facts", fleetFile], 1));
  }
  line(`compliance-check.${HOSTS}-hosts.cli`, median(cli), "ms", median(bareParse));
  target(`${HOSTS} hosts, CLI end to end`, median(cli) <= 1000, `${median(cli).toFixed(0)} ms ≤ 1000 ms`);

  // (b) one host through the CLI vs a bare Node start-up, interleaved so load changes hit both alike.
  const one: number[] = [];
  const bare: number[] = [];
  timeProcess(["-e", "0"], 0);
  for (let i = 0; i < RUNS_START; i++) {
    bare.push(timeProcess(["-e", "0"], 0));
    one.push(timeProcess([CLI, "compliance-check", "--facts", single], 0));
  }
  line("compliance-check.single-host.cli-vs-node-startup", median(one), "ms", median(bare));
  const ratio = median(one) / median(bare);
  target("single host vs node -e 0", ratio <= 4, `${ratio.toFixed(2)}× ≤ 4×`);
}

await main();
