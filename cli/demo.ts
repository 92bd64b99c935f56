/**
 * `nixfleet demo` (npm start): a governed fleet of six agents on this machine, told as a story. Every step calls
 * the real CLI (`node dist/cli/main.js …` as its own process) or the real REST API over TLS: a CA, the control
 * plane with mTLS, agents applying real Nix generations (built with nix-build) to their own profiles, the
 * governance gate, a four-eyes waiver, a staged rollout that pauses on a failing host, and the auditor's outputs.
 * Each host's /proc is simulated (deploy/simulated-root.ts): these hosts cannot exist here.
 *
 * Without Nix (or with --simulate) the systems are plain directories in a simulated store, the agents run the
 * SIMULATED driver (driver: "simulated", docs/adr/0850-simulated-driver.md) and the releases are recorded from
 * manifest files; a banner says so first. Everything else (CA, mTLS, processes, gate, reports) is unchanged.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { SimulatedDriver } from "../agent/drivers/simulated.js";
import { evaluateHost, selectControls, withLockAge } from "../controls/index.js";
import { writeSimulatedRoot } from "../deploy/simulated-root.js";
import type { AgentConfig } from "../schemas/generated/agent-config.js";
import type { Facts } from "../schemas/generated/facts.js";
import type { ReleaseManifest } from "../schemas/generated/release-manifest.js";
import type { Rollout } from "../schemas/generated/rollout.js";
import type { RolloutPlan } from "../schemas/generated/rollout-plan.js";
import type { RuntimeReport } from "../schemas/generated/runtime-report.js";
import { newId } from "../schemas/ids.js";
import { CheckFailed } from "./errors.js";

interface DemoOptions {
  dir: string;
  keepRunning?: boolean;
  simulate?: boolean;
}

interface DemoHost {
  name: string;
  tags: string[];
  /** the story: db-01's configuration violates a required control; web-04's new release is unhealthy */
  role: "web" | "db";
}

const HOSTS: DemoHost[] = [
  { name: "web-01", tags: ["role:web", "env:prod"], role: "web" },
  { name: "web-02", tags: ["role:web", "env:prod"], role: "web" },
  { name: "web-03", tags: ["role:web", "env:prod"], role: "web" },
  { name: "web-04", tags: ["role:web", "env:prod"], role: "web" },
  { name: "web-05", tags: ["role:web", "env:prod"], role: "web" },
  { name: "db-01", tags: ["role:db", "env:prod"], role: "db" },
];
const UNHEALTHY_HOST = "web-04";
const VIOLATING_HOST = "db-01";
const VIOLATED_CONTROL = "ssh-no-root-login";

// The test system each host runs: a store path whose switch-to-configuration points the host's current-system
// link at itself and logs the switch; bin/health is the health check (exit 1 in an unhealthy release).
const SYSTEM_NIX = `
{ name, release, link, marker, healthy ? true, system ? builtins.currentSystem }:
builtins.derivation {
  name = "nixos-system-\${name}-demo-\${release}";
  inherit system link marker release;
  healthy = if healthy then "1" else "0";
  builder = "/bin/sh";
  args = [ "-c" ''
    /bin/mkdir -p $out/bin
    {
      echo '#!/bin/sh'
      echo "echo \\"\\$(/bin/date -u +%FT%TZ) $release \\$*\\" >> $marker"
      echo "/bin/ln -sfn $out $link"
    } > $out/bin/switch-to-configuration
    {
      echo '#!/bin/sh'
      if [ "$healthy" = 1 ]; then echo 'echo ok; exit 0'; else echo 'echo "HTTP 502 from the application after the upgrade" >&2; exit 1'; fi
    } > $out/bin/health
    /bin/chmod +x $out/bin/switch-to-configuration $out/bin/health
    echo "$release" > $out/nixos-version
  '' ];
}
`;

// Nix's base-32 alphabet: simulated store paths have the shape release manifests require of a store path
const NIX_BASE32 = "0123456789abcdfghijklmnpqrsvwxyz";

/**
 * Without Nix: the same system as SYSTEM_NIX, written as a plain directory of the simulated store. Its name is
 * `<hash of its contents>-nixos-system-<host>-demo-<release>-simulated`; the agents' simulated driver reads
 * `/nix/store/<name>` as `<store>/<name>`. Returns the store path.
 */
function writeSimulatedSystem(
  store: string,
  spec: { name: string; release: string; link: string; marker: string; healthy: boolean },
): string {
  const name = `nixos-system-${spec.name}-demo-${spec.release}-simulated`;
  const health = spec.healthy
    ? "#!/bin/sh\necho ok; exit 0\n"
    : '#!/bin/sh\necho "HTTP 502 from the application after the upgrade" >&2; exit 1\n';
  const digest = createHash("sha256")
    .update(JSON.stringify({ name, health, link: spec.link, marker: spec.marker }))
    .digest();
  const hash = [...digest.subarray(0, 32)].map((b) => NIX_BASE32[b % 32]).join("");
  const dir = join(store, `${hash}-${name}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  // like switch-to-configuration: log the switch, then point the current-system link at this system
  writeFileSync(
    join(dir, "bin", "switch-to-configuration"),
    `#!/bin/sh\necho "$(date -u +%FT%TZ) ${spec.release} $*" >> '${spec.marker}'\nln -sfn '${dir}' '${spec.link}'\n`,
  );
  writeFileSync(join(dir, "bin", "health"), health);
  chmodSync(join(dir, "bin", "switch-to-configuration"), 0o755);
  chmodSync(join(dir, "bin", "health"), 0o755);
  writeFileSync(join(dir, "nixos-version"), `${spec.release}\n`);
  return `/nix/store/${hash}-${name}`;
}

const BOLD = process.stdout.isTTY ? "\x1b[1m" : "";
const DIM = process.stdout.isTTY ? "\x1b[2m" : "";
const GREEN = process.stdout.isTTY ? "\x1b[32m" : "";
const RED = process.stdout.isTTY ? "\x1b[31m" : "";
const YELLOW = process.stdout.isTTY ? "\x1b[33m" : "";
const RESET = process.stdout.isTTY ? "\x1b[0m" : "";

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The demo's processes and folders; everything it starts is stopped by `shutdown()` unless kept running. */
class DemoRun {
  readonly dir: string;
  readonly out: string;
  readonly started = Date.now();
  private step = 0;
  readonly children: ChildProcess[] = [];
  readonly env: NodeJS.ProcessEnv;
  private readonly cliPath: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.out = join(this.dir, "out");
    this.cliPath = process.argv[1] ?? "";
    const base = process.env.NIX_CONFIG ?? "";
    const needed = ["sandbox = false", "build-users-group =", "experimental-features = nix-command flakes"];
    // No substituters: the demo builds everything locally and must not wait on a network it may not have.
    const nixConfig = [...needed.filter((l) => !base.includes(l)), base, "substituters ="].join("\n");
    this.env = { ...process.env, NIX_CONFIG: nixConfig };
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  chapter(title: string): void {
    this.step++;
    process.stdout.write(`\n${BOLD}[${this.step}] ${title}${RESET} ${DIM}(${this.elapsed()})${RESET}\n`);
  }

  say(line: string): void {
    process.stdout.write(`    ${line}\n`);
  }

  /** Runs `nixfleet …` as its own process, the way a person would type it. */
  nixfleet(args: string[]): Promise<Finished> {
    return new Promise((resolvePromise) => {
      const child = spawn(process.execPath, [this.cliPath, ...args], {
        cwd: this.dir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
      child.on("error", (err) => resolvePromise({ code: null, stdout, stderr: `${stderr}${err.message}` }));
    });
  }

  /** Runs `nixfleet …` and fails the demo with its output when the exit code is not `expect`. */
  async must(args: string[], expect = 0): Promise<Finished> {
    const finished = await this.nixfleet(args);
    if (finished.code !== expect)
      throw new CheckFailed(
        `demo step failed: nixfleet ${args.join(" ")} exited ${finished.code} (expected ${expect})\n${finished.stderr.trim()}\n${finished.stdout.trim().slice(0, 2000)}`,
      );
    return finished;
  }

  async json<T>(args: string[], expect = 0): Promise<T> {
    const finished = await this.must([...args, "--json"], expect);
    try {
      return JSON.parse(finished.stdout) as T;
    } catch {
      throw new CheckFailed(
        `nixfleet ${args.join(" ")} did not print JSON:\n${finished.stdout.slice(0, 2000)}`,
      );
    }
  }

  /** Starts a long-running `nixfleet …` (server, agents) with its output in a log file. */
  background(args: string[], logFile: string): ChildProcess {
    const child = spawn(process.execPath, [this.cliPath, ...args], {
      cwd: this.dir,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const log: Buffer[] = [];
    const flush = () => writeFileSync(logFile, Buffer.concat(log));
    child.stdout?.on("data", (c: Buffer) => {
      log.push(c);
      flush();
    });
    child.stderr?.on("data", (c: Buffer) => {
      log.push(c);
      flush();
    });
    this.children.push(child);
    return child;
  }

  async shutdown(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolvePromise) => {
            if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
              resolvePromise();
              return;
            }
            const timer = setTimeout(() => {
              try {
                process.kill(-child.pid!, "SIGKILL");
              } catch {
                // already gone
              }
            }, 5000);
            child.once("close", () => {
              clearTimeout(timer);
              resolvePromise();
            });
            try {
              process.kill(-child.pid, "SIGTERM");
            } catch {
              clearTimeout(timer);
              resolvePromise();
            }
          }),
      ),
    );
  }
}

/** A JSON call to the control plane over HTTPS, trusting only the demo CA (for polling, where a process per call is waste). */
function apiCall<T>(
  url: string,
  ca: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolveCall, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      {
        method,
        ca: readFileSync(ca),
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(payload
            ? { "content-type": "application/json", "content-length": String(payload.length) }
            : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolveCall({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as T,
            });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}${path}`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function commandExists(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function repoFile(...parts: string[]): string {
  return join(import.meta.dirname, "..", "..", ...parts);
}

/** Facts of a demo host: the example fleet's hardened web server, named after the host; db-01 admits root SSH. */
function demoFacts(host: DemoHost): Record<string, unknown> {
  const facts = JSON.parse(readFileSync(repoFile("examples", "fleet", "hardened.json"), "utf8")) as {
    nixfleet?: { meta?: { hostName?: string } };
    services?: { openssh?: { settings?: Record<string, unknown> } };
  };
  if (facts.nixfleet?.meta) facts.nixfleet.meta.hostName = host.name;
  if (host.name === VIOLATING_HOST && facts.services?.openssh?.settings)
    // a nightly backup job logs in as root with a key: the configuration drifted from the hardened baseline
    facts.services.openssh.settings.PermitRootLogin = "prohibit-password";
  return facts as Record<string, unknown>;
}

/** What each host's /proc shows: the example hardened web server's runtime report, named after the host. */
function demoRuntime(host: DemoHost): RuntimeReport {
  const report = JSON.parse(
    readFileSync(repoFile("examples", "runtime", "web-01.json"), "utf8"),
  ) as RuntimeReport;
  report.machineId = host.name;
  report.hostName = host.name;
  if (report.sysctl) report.sysctl["kernel.kptr_restrict"] = "2";
  return report;
}

/**
 * The demo policy: NIS2 for an essential entity, enforcing the controls that have eval-time checks. Runtime-only
 * results are not derived by the control plane yet (runtime reports are stored as evidence), so requiring them
 * would block every batch on missing evidence; see docs/demo.md.
 */
function demoPolicy(): Record<string, unknown> {
  const required = selectControls({ frameworks: ["nis2"], entity: "essential" })
    .filter((c) => c.runtime === undefined)
    .map((c) => c.id);
  return {
    version: 1,
    frameworks: ["nis2"],
    nis2Entity: "essential",
    requiredControls: required,
    advisoryControls: [],
    freshness: { evalMaxAgeHours: 720, runtimeMaxAgeHours: 24 },
    mode: "enforce",
  };
}

interface HostState {
  host: DemoHost;
  dir: string;
  profile: string;
  link: string;
  marker: string;
  config: string;
}

function flakeFor(run: DemoRun, release: string, hosts: HostState[], system: string): string {
  const dir = join(run.dir, "fleet", release);
  mkdirSync(join(dir, "facts"), { recursive: true });
  writeFileSync(join(dir, "system.nix"), SYSTEM_NIX);
  const entries = hosts.map((h) => {
    writeFileSync(join(dir, "facts", `${h.host.name}.json`), JSON.stringify(demoFacts(h.host), null, 1));
    const healthy = !(release === "v2" && h.host.name === UNHEALTHY_HOST);
    const checks = [
      {
        name: "app-health",
        kind: "command",
        command: [join(h.link, "bin", "health")],
        retries: 1,
        intervalMs: 300,
        failureThreshold: 2,
      },
    ];
    return `    ${JSON.stringify(h.host.name)} = mk {
      name = ${JSON.stringify(h.host.name)};
      link = ${JSON.stringify(h.link)};
      marker = ${JSON.stringify(h.marker)};
      healthy = ${healthy};
      facts = ./facts/${h.host.name}.json;
      healthChecks = builtins.fromJSON ${JSON.stringify(JSON.stringify(checks))};
    };`;
  });
  writeFileSync(
    join(dir, "flake.nix"),
    `{
  description = "NixFleet demo fleet, release ${release}";
  outputs = { self }: let
    mk = { name, link, marker, healthy, facts, healthChecks }: let
      toplevel = import ./system.nix {
        inherit name link marker healthy;
        release = ${JSON.stringify(release)};
        system = ${JSON.stringify(system)};
      };
      raw = builtins.fromJSON (builtins.readFile facts);
      # facts name the toplevel they were evaluated with, as mkHost's do: the agent's generation is compared to it
      meta = ((raw.nixfleet or {}).meta or {}) // { toplevel = toplevel.outPath; hostName = name; };
    in {
      config = {
        system.build.toplevel = toplevel;
        nixfleet.compliance.facts = raw // { nixfleet = (raw.nixfleet or {}) // { inherit meta; }; };
        services.nixfleet-agent.healthChecks = healthChecks;
      };
    };
  in {
    nixosConfigurations = {
${entries.join("\n")}
    };
  };
}
`,
  );
  return `path:${dir}`;
}

function buildToplevels(
  run: DemoRun,
  flake: string,
  release: string,
  hosts: HostState[],
): Map<string, string> {
  const installables = hosts.map(
    (h) => `${flake}#nixosConfigurations.${JSON.stringify(h.host.name)}.config.system.build.toplevel`,
  );
  const out = execFileSync("nix", ["build", "--no-link", "--json", ...installables], {
    env: run.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  // nix build --json does not keep the order of its installables: match outputs by their names
  const built = (JSON.parse(out) as { outputs: { out: string } }[]).map((b) => b.outputs.out);
  return new Map(
    hosts.map((h) => {
      const path = built.find((p) => p.endsWith(`-nixos-system-${h.host.name}-demo-${release}`));
      if (!path) throw new CheckFailed(`nix build did not produce ${h.host.name}'s ${release}`);
      return [h.host.name, path];
    }),
  );
}

/** Without Nix: each host's system of a release, as directories in the simulated store; host → store path. */
function simulatedSystems(store: string, release: string, hosts: HostState[]): Map<string, string> {
  return new Map(
    hosts.map((h) => [
      h.host.name,
      writeSimulatedSystem(store, {
        name: h.host.name,
        release,
        link: h.link,
        marker: h.marker,
        healthy: !(release === "v2" && h.host.name === UNHEALTHY_HOST),
      }),
    ]),
  );
}

/** The driver the host's agent will run, for installing generation 1 the way nix-env --set would. */
function simulatedDriverFor(h: HostState, store: string, env: NodeJS.ProcessEnv): SimulatedDriver {
  return new SimulatedDriver({
    platform: "nixos",
    storeDir: store,
    profilePath: h.profile,
    currentSystemLink: h.link,
    activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    rollbackActivationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    activationTimeoutMs: 60_000,
    switchLockPath: join(h.dir, "run", "switch.lock"),
    env,
  });
}

/**
 * Without Nix: the release manifest `release create --flake` would build from the demo flake — per host its
 * toplevel, its facts naming that toplevel (as mkHost's do) and the eval-time control results.
 */
function simulatedManifest(toplevels: Map<string, string>, store: string): ReleaseManifest {
  const controls = selectControls();
  const now = new Date();
  const manifest: ReleaseManifest = {
    hosts: {},
    source: {
      note: `nixfleet demo, simulated driver: systems are plain directories in ${store}, not Nix builds`,
    },
  };
  for (const host of HOSTS) {
    const toplevel = toplevels.get(host.name)!;
    const raw = demoFacts(host) as Facts & { nixfleet?: { meta?: Record<string, unknown> } };
    const facts = {
      ...raw,
      nixfleet: { ...raw.nixfleet, meta: { ...raw.nixfleet?.meta, toplevel, hostName: host.name } },
    } as Facts;
    manifest.hosts[host.name] = {
      toplevel,
      facts,
      evalEvidence: evaluateHost(host.name, withLockAge(facts, now), controls),
    };
  }
  return manifest;
}

function progressLine(r: Rollout): string {
  const batches = (r.batches ?? [])
    .map((b, i) => {
      const label = i === 0 ? "canary" : `${b.amount}`;
      const mark =
        b.phase === "passed"
          ? `${GREEN}passed${RESET}`
          : b.phase === "failed"
            ? `${RED}failed${RESET}`
            : b.phase;
      return `${label} ${mark} ${b.confirmed}/${b.size}${b.failed ? ` (${b.failed} failed)` : ""}`;
    })
    .join(" · ");
  return `${r.status}${r.pauseReason ? ` (${r.pauseReason})` : ""}: ${batches}`;
}

/** How the hosts' systems are built and switched: with Nix, or simulated (and why). */
type Mode = { simulated: false } | { simulated: true; why: "no-nix" | "asked" };

function chooseMode(options: DemoOptions): Mode {
  const nixPresent = commandExists("nix-build") && commandExists("nix-env") && commandExists("nix");
  if (!nixPresent) return { simulated: true, why: "no-nix" };
  return options.simulate ? { simulated: true, why: "asked" } : { simulated: false };
}

/** The banner of a simulated run: said before anything else, so no one takes it for real Nix switches. */
function simulationBanner(mode: Mode & { simulated: true }, store: string): string {
  const why =
    mode.why === "no-nix"
      ? "Nix was not found on this machine (no nix-build / nix-env / nix on PATH)."
      : "--simulate was given: Nix is installed but not used.";
  return (
    `\n${YELLOW}${BOLD}!! SIMULATED DRIVER. ${why}${RESET}\n` +
    "   The hosts' systems are plain directories in a simulated store, not Nix builds, and every agent runs the\n" +
    '   simulated driver (driver: "simulated"): it switches a nix-env-style profile of numbered links and runs the\n' +
    "   activation script, without Nix. Agents say so in their logs and runtime reports.\n" +
    "   Everything else is real: CA, mTLS, control plane, agent processes, gate, health checks, rollback, reports.\n" +
    `   Simulated store: ${store}\n` +
    (mode.why === "no-nix"
      ? "   For real Nix generations install Nix (Debian: apt-get install nix-bin) and run again.\n"
      : "")
  );
}

async function runDemo(options: DemoOptions): Promise<void> {
  const run = new DemoRun(options.dir);
  process.stdout.write(
    `${BOLD}NixFleet demo${RESET}: a governed fleet of ${HOSTS.length} hosts on this machine, in ${run.dir}\n`,
  );
  const mode = chooseMode(options);
  const store = join(run.dir, "simulated-store");
  if (mode.simulated) {
    process.stdout.write(simulationBanner(mode, store));
    // the switch lock is flock(1), as with the Nix drivers
    if (!commandExists("flock"))
      throw new CheckFailed(
        "the simulated driver takes the switch lock with flock(1), which is not on PATH (Debian: util-linux; macOS: brew install flock)",
      );
  }
  // Running twice works: every run starts from a clean folder (the previous run's control plane is gone).
  rmSync(run.dir, { recursive: true, force: true });
  mkdirSync(run.out, { recursive: true });
  const logs = join(run.dir, "logs");
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(run.dir, "fleet"), { recursive: true });
  let keep = false;
  try {
    // ── 1. the control plane
    run.chapter("A certificate authority and the control plane, with mTLS for agents");
    const caDir = join(run.dir, "ca");
    const db = join(run.dir, "state.db");
    await run.json(["ca", "init", "--dir", caDir, "--name", "NixFleet demo CA"]);
    const serverCert = await run.json<{ cert: string; key: string }>([
      "ca",
      "issue",
      "--dir",
      caDir,
      "--server",
      "--host",
      "127.0.0.1",
      "--host",
      "localhost",
    ]);
    await run.json(["db", "migrate", "--db", db]);
    const alice = await run.json<{ token: string }>([
      "token",
      "create",
      "--db",
      db,
      "--role",
      "admin",
      "--name",
      "alice (admin)",
    ]);
    const caCert = join(caDir, "ca.crt");
    // The control plane's poll hint overrides an agent's own interval after its first poll (30 s by default, a
    // sane load for a real fleet); the demo's six agents are asked to poll every 0.5 s so the story moves on.
    const serverConfig = join(run.dir, "server.json");
    writeFileSync(serverConfig, `${JSON.stringify({ pollAfterMs: 500 }, null, 2)}\n`);
    const server = run.background(
      [
        "server",
        "--config",
        serverConfig,
        "--listen",
        "127.0.0.1:0",
        "--db",
        db,
        "--tls-cert",
        serverCert.cert,
        "--tls-key",
        serverCert.key,
        "--client-ca",
        caCert,
        "--json",
        "--log-level",
        "warn",
      ],
      join(logs, "control-plane.log"),
    );
    const url = await new Promise<string>((resolveUrl, reject) => {
      let buffered = "";
      const timer = setTimeout(
        () => reject(new CheckFailed(`the control plane did not start; see ${logs}/control-plane.log`)),
        30_000,
      );
      server.stdout?.on("data", (c: Buffer) => {
        buffered += c.toString();
        const m = /"url":"(https:\/\/[^"]+)"/.exec(buffered);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      });
      server.once("close", (code) =>
        reject(new CheckFailed(`the control plane exited ${code}; see ${logs}/control-plane.log`)),
      );
    });
    const as = (token: string) => ["--server", url, "--token", token, "--ca", caCert];
    run.say(`control plane at ${url} (TLS with the demo CA; agents must present a certificate it issued)`);
    run.say(`first admin token made offline on the database: alice`);
    const bob = await run.json<{ token: string }>([
      "token",
      "create",
      "--role",
      "admin",
      "--name",
      "bob (admin)",
      ...as(alice.token),
    ]);
    const operator = await run.json<{ token: string }>([
      "token",
      "create",
      "--role",
      "operator",
      "--name",
      "release engineer",
      ...as(alice.token),
    ]);
    const auditor = await run.json<{ token: string }>([
      "token",
      "create",
      "--role",
      "auditor",
      "--name",
      "external auditor (read-only)",
      ...as(alice.token),
    ]);
    run.say("tokens: alice and bob (admins), an operator, and a read-only auditor");

    // ── 2. the fleet
    run.chapter(`Six hosts, each with its own agent, profile and client certificate`);
    const system = mode.simulated
      ? ""
      : execFileSync("nix-instantiate", ["--eval", "--expr", "builtins.currentSystem", "--json"], {
          env: run.env,
          encoding: "utf8",
        })
          .trim()
          .replace(/"/g, "");
    const hosts: HostState[] = [];
    for (const host of HOSTS) {
      const dir = join(run.dir, "hosts", host.name);
      mkdirSync(join(dir, "profiles"), { recursive: true });
      mkdirSync(join(dir, "run"), { recursive: true });
      const state: HostState = {
        host,
        dir,
        profile: join(dir, "profiles", "system"),
        link: join(dir, "run", "current-system"),
        marker: join(dir, "activations.log"),
        config: join(dir, "agent.json"),
      };
      hosts.push(state);
    }
    const first = HOSTS[0]!;
    await run.json([
      "machines",
      "register",
      first.name,
      ...first.tags.flatMap((t) => ["--tag", t]),
      ...as(operator.token),
    ]);
    for (const host of HOSTS.slice(1)) {
      const registered = await apiCall(url, caCert, operator.token, "POST", "/api/v1/machines", {
        id: host.name,
        tags: host.tags,
      });
      if (registered.status !== 201)
        throw new CheckFailed(`registering ${host.name}: HTTP ${registered.status}`);
    }
    run.say(
      `registered ${HOSTS.length} machines (nixfleet machines register, then the same call over the API)`,
    );
    // one at a time: `ca issue` updates the CA's index file
    const certs: { cert: string; key: string }[] = [];
    for (const h of hosts)
      certs.push(
        await run.json<{ cert: string; key: string }>([
          "ca",
          "issue",
          "--dir",
          caDir,
          "--machine",
          h.host.name,
          "--out",
          join(h.dir, "tls"),
        ]),
      );
    // v1: what the hosts run today, built with nix-build and installed into each profile with nix-env
    // (simulated: written as directories and set into each profile by the simulated driver)
    const v1 = mode.simulated
      ? simulatedSystems(store, "v1", hosts)
      : buildToplevels(run, flakeFor(run, "v1", hosts, system), "v1", hosts);
    for (const [index, h] of hosts.entries()) {
      const path = v1.get(h.host.name)!;
      if (mode.simulated) {
        const driver = simulatedDriverFor(h, store, run.env);
        driver.setProfile(path);
        execFileSync(join(driver.directoryOf(path)!, "bin", "switch-to-configuration"), ["boot"], {
          env: run.env,
          stdio: "ignore",
        });
      } else {
        execFileSync("nix-env", ["-p", h.profile, "--set", path], { env: run.env, stdio: "ignore" });
        execFileSync(join(path, "bin", "switch-to-configuration"), ["boot"], {
          env: run.env,
          stdio: "ignore",
        });
      }
      const cert = certs[index]!;
      const root = join(h.dir, "root");
      writeSimulatedRoot(root, demoRuntime(h.host));
      const config: AgentConfig = {
        machineId: h.host.name,
        controlPlaneUrl: url,
        tls: { cert: cert.cert, key: cert.key, ca: caCert },
        tags: h.host.tags,
        profilePath: h.profile,
        currentSystemLink: h.link,
        activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
        switchLockPath: join(h.dir, "run", "switch.lock"),
        ...(mode.simulated ? { driver: "simulated" as const, simulatedStoreDir: store } : {}),
        rootPath: root,
        stateDir: join(h.dir, "state"),
        pollIntervalMs: 500,
        jitter: 0.2,
        backoffInitialMs: 250,
        backoffMaxMs: 2000,
        requestTimeoutMs: 5000,
        reportIntervalMs: 5000,
        healthTimeoutMs: 20_000,
        confirmWindowMs: 20_000,
        // what services.nixfleet-agent.healthChecks renders into /etc/nixfleet/agent.json on a real host
        healthChecks: [
          {
            name: "app-health",
            kind: "command",
            command: [join(h.link, "bin", "health")],
            retries: 1,
            intervalMs: 300,
            failureThreshold: 2,
          },
        ],
        logLevel: "info",
      };
      writeFileSync(h.config, JSON.stringify(config, null, 2));
      run.background(["agent", "--config", h.config], join(logs, `agent-${h.host.name}.log`));
      run.say(`${h.host.name.padEnd(7)} ${h.host.tags.join(",").padEnd(18)} generation 1: ${path}`);
    }
    run.say(
      `agents started (mTLS, polling every 0.5 s${mode.simulated ? ", simulated driver" : ""}); their logs are in ${logs}/`,
    );

    // ── 3. compliance-check
    run.chapter("compliance-check of the fleet's configuration, as CI would run it");
    const policyFile = join(run.dir, "policy.json");
    writeFileSync(policyFile, JSON.stringify(demoPolicy(), null, 2));
    const factsFile = join(run.dir, "fleet", "facts.json");
    writeFileSync(
      factsFile,
      JSON.stringify(Object.fromEntries(HOSTS.map((h) => [h.name, demoFacts(h)])), null, 1),
    );
    const check = await run.nixfleet([
      "compliance-check",
      "--facts",
      factsFile,
      "--policy",
      policyFile,
      "--json",
    ]);
    if (check.code !== 1)
      throw new CheckFailed(
        `compliance-check should find db-01's violation (exit 1), got ${check.code}\n${check.stderr}`,
      );
    const report = JSON.parse(check.stdout) as {
      summary: { hosts: { host: string; counts: { pass?: number } }[] };
      results: { host?: string; controlId: string; status: string }[];
    };
    for (const h of report.summary.hosts) {
      const failed = report.results
        .filter((r) => r.host === h.host && r.status === "fail")
        .map((r) => r.controlId);
      const passed = h.counts.pass ?? 0;
      run.say(
        `${h.host.padEnd(7)} ${passed} controls pass${failed.length ? `, ${RED}fails ${failed.join(", ")}${RESET}` : ""}`,
      );
    }
    run.say(
      `exit 1: a required control fails (policy: NIS2, essential entity, ${(demoPolicy().requiredControls as string[]).length} required controls, enforce)`,
    );

    // ── 4. governed release, blocked
    run.chapter("A release, and a rollout the governance gate blocks");
    await run.must(["policy", "set", "--file", policyFile, ...as(alice.token)]);
    let release: { id: string };
    let v2: Map<string, string>;
    if (mode.simulated) {
      // no nix eval: the manifest (toplevels, facts, eval-time evidence) is written here and recorded from the file
      v2 = simulatedSystems(store, "v2", hosts);
      const manifestFile = join(run.dir, "fleet", "release-v2.json");
      writeFileSync(manifestFile, JSON.stringify(simulatedManifest(v2, store), null, 1));
      release = await run.json<{ id: string }>([
        "release",
        "create",
        "--manifest",
        manifestFile,
        ...as(operator.token),
      ]);
      run.say(
        `release ${release.id}: ${HOSTS.length} hosts, simulated systems (no Nix), recorded with release create --manifest`,
      );
    } else {
      const v2Flake = flakeFor(run, "v2", hosts, system);
      release = await run.json<{ id: string }>([
        "release",
        "create",
        "--flake",
        v2Flake,
        ...as(operator.token),
      ]);
      v2 = buildToplevels(run, v2Flake, "v2", hosts);
      run.say(
        `release ${release.id}: ${HOSTS.length} hosts, toplevels built with nix build, recorded with release create --flake`,
      );
    }
    run.say("the release carries each host's facts and eval-time control results (its evidence)");
    const rolloutFlags = [
      "--release",
      release.id,
      "--strategy",
      "staged",
      "--batches",
      "1,50%,100%",
      "--all",
      "--health-timeout",
      "20s",
      "--confirm-window",
      "20s",
    ];
    const blocked = await run.json<{
      decision?: { reasons?: { controlId: string; host: string; status: string }[] };
    }>(["rollout", "start", ...rolloutFlags, ...as(operator.token)], 1);
    for (const reason of (blocked.decision?.reasons ?? []).slice(0, 5))
      run.say(`${RED}blocked${RESET}: ${reason.host} ${reason.controlId} is ${reason.status}`);
    run.say("the decision is stored as evidence and in the audit trail; nothing was deployed");

    // ── 5. waiver, four eyes
    run.chapter("A waiver: requested by alice, approved by bob (four eyes)");
    const waiver = await run.json<{ id: string }>([
      "waiver",
      "request",
      "--control",
      VIOLATED_CONTROL,
      "--host",
      VIOLATING_HOST,
      "--expires",
      "7d",
      "--rationale",
      "nightly backup job logs in as root with a key; moving it to a dedicated user in change CHG-2041",
      ...as(alice.token),
    ]);
    const selfApproval = await run.nixfleet(["waiver", "approve", waiver.id, ...as(alice.token), "--json"]);
    run.say(
      `alice requests ${waiver.id}; alice approving her own waiver is refused (exit ${selfApproval.code})`,
    );
    await run.json(["waiver", "approve", waiver.id, ...as(bob.token)]);
    run.say(`bob approves it: ${VIOLATING_HOST}'s ${VIOLATED_CONTROL} now counts as waived for 7 days`);

    // ── 6. the staged rollout
    run.chapter("Canary, then 50%, then 100%");
    // The host order is seeded by the rollout id; pick an id whose plan has the story's unhealthy host after the canary.
    let chosen: RolloutPlan | null = null;
    const spec = {
      strategy: "staged",
      batches: ["1", "50%", "100%"],
      healthTimeoutMs: 20_000,
      confirmWindowMs: 20_000,
      targets: { all: true },
    };
    for (let attempt = 0; attempt < 40 && !chosen; attempt++) {
      const answer = await apiCall<RolloutPlan>(
        url,
        caCert,
        operator.token,
        "POST",
        "/api/v1/rollouts/plan",
        {
          releaseId: release.id,
          rolloutId: newId("rol"),
          spec,
        },
      );
      if (answer.status !== 200)
        throw new CheckFailed(
          `rollout plan: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`,
        );
      const plan = answer.body;
      const batchOf = (host: string) => plan.batches.findIndex((b) => b.hosts.includes(host));
      if (batchOf(UNHEALTHY_HOST) === 1 && batchOf(VIOLATING_HOST) !== 0) chosen = plan;
    }
    if (!chosen) throw new CheckFailed("no rollout id put the story's hosts where it needs them");
    for (const b of chosen.batches) run.say(`batch ${b.index + 1} (${b.amount}): ${b.hosts.join(", ")}`);
    const started = await run.json<{ rollout: Rollout }>([
      "rollout",
      "start",
      "--id",
      chosen.rolloutId,
      ...rolloutFlags,
      ...as(operator.token),
    ]);
    run.say(`rollout ${started.rollout.id} started; the gate allows it (db-01 is waived)`);
    let last = "";
    let final: Rollout | null = null;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const status = (
        await apiCall<Rollout>(
          url,
          caCert,
          operator.token,
          "GET",
          `/api/v1/rollouts/${started.rollout.id}?hosts=all`,
        )
      ).body;
      const line = progressLine(status);
      if (line !== last) {
        run.say(`${DIM}${run.elapsed().padStart(6)}${RESET} ${line}`);
        last = line;
      }
      if (status.status !== "running" && status.status !== "pending") {
        final = status;
        break;
      }
      await sleep(500);
    }
    if (!final) throw new CheckFailed("the rollout did not settle within 150 s");

    // ── 7. why it stopped
    run.chapter("The operator sees why");
    // the CLI's table names the failed host and its reason once; the demo adds only what is on the host itself
    run.say(`${DIM}$ nixfleet rollout status ${started.rollout.id} --hosts problems${RESET}`);
    const human = await run.nixfleet([
      "rollout",
      "status",
      started.rollout.id,
      "--hosts",
      "problems",
      ...as(operator.token),
    ]);
    for (const line of human.stdout.trim().split("\n")) run.say(line);
    const bad = hosts.find((h) => h.host.name === UNHEALTHY_HOST)!;
    const switches = existsSync(bad.marker)
      ? readFileSync(bad.marker, "utf8").trim().split("\n").slice(-2)
      : [];
    run.say(
      `${UNHEALTHY_HOST}'s activation log (the agent switched to v2, its health check failed, it went back to v1):`,
    );
    for (const s of switches) run.say(`  ${s}`);
    run.say(
      `${UNHEALTHY_HOST} runs ${readFileSync(join(bad.link, "nixos-version"), "utf8").trim()} again; v2 was ${v2.get(UNHEALTHY_HOST)}`,
    );
    const confirmed = (final.hosts ?? []).filter((h) => h.outcome === "confirmed").map((h) => h.machineId);
    const unsettled = ["pending", "fetching", "applying", "verifying"];
    const inFlight = (final.hosts ?? [])
      .filter((h) => h.assignedAt && unsettled.includes(h.outcome))
      .map((h) => h.machineId);
    run.say(
      `confirmed on v2: ${confirmed.join(", ") || "none"}` +
        (inFlight.length ? `; still in flight when it paused: ${inFlight.join(", ")}` : ""),
    );
    run.say("no further batch starts until the operator runs nixfleet rollout resume (or abort)");

    // ── 8. auditor outputs
    run.chapter("What the auditor takes away");
    const keyDir = join(run.dir, "keys");
    await run.json(["evidence", "keygen", "--out", keyDir]);
    const privateKey = join(keyDir, "evidence-signing.key");
    const bundle = join(run.out, "evidence-bundle.json");
    await run.must(["evidence", "export", ...as(auditor.token), "--key", privateKey, "--out", bundle]);
    run.say(
      "evidence bundle: every record, gate decision and audit entry, signed (evidence export, auditor token)",
    );
    const oscal = join(run.out, "oscal-assessment-results.json");
    // OSCAL needs the control plane's results, read offline from its database (as an auditor's copy would be)
    await run.must(["evidence", "export", "--db", db, "--format", "oscal", "--out", oscal]);
    run.say("OSCAL assessment results (evidence export --format oscal)");
    const pdf = join(run.out, "nis2-report.pdf");
    await run.must([
      "report",
      "nis2",
      ...as(auditor.token),
      "--entity",
      "Demo Operator SA",
      "--bundle",
      bundle,
      "--out",
      pdf,
    ]);
    const nis2Json = join(run.out, "nis2-report.json");
    await run.must([
      "report",
      "nis2",
      ...as(auditor.token),
      "--entity",
      "Demo Operator SA",
      "--bundle",
      bundle,
      "--format",
      "json",
      "--out",
      nis2Json,
    ]);
    run.say(
      'NIS2 report for the essential entity "Demo Operator SA", PDF and JSON (report nis2, from the bundle)',
    );
    const auditorTokenFile = join(run.out, "auditor-token.txt");
    writeFileSync(auditorTokenFile, `${auditor.token}\n`, { mode: 0o600 });

    const rows: [string, string][] = [
      ["NIS2 report (PDF)", pdf],
      ["NIS2 report (JSON)", nis2Json],
      ["OSCAL assessment results", oscal],
      ["evidence bundle", bundle],
      ["API", `${url}/api/v1  (reference: ${url}/api/v1/openapi.json)`],
      ["CA certificate", caCert],
      ["auditor token (read-only)", `${auditor.token}  (also in ${auditorTokenFile})`],
      ["logs", `${logs}/`],
    ];
    if (mode.simulated) rows.push(["driver", `simulated (no Nix); store ${store}`]);
    const width = Math.max(...rows.map(([label]) => label.length)) + 1;
    process.stdout.write(`\n${BOLD}Done in ${run.elapsed()}.${RESET}\n`);
    for (const [label, value] of rows) process.stdout.write(`  ${`${label}:`.padEnd(width)} ${value}\n`);
    // the path as the person would type it: relative from inside the repository, absolute from elsewhere
    const cliFile = resolve(process.argv[1] ?? "dist/cli/main.js");
    const cliRelative = relative(process.cwd(), cliFile);
    const cli = cliRelative.startsWith("..") ? cliFile : cliRelative;
    process.stdout.write(
      `\n  try: node ${cli} rollout status ${started.rollout.id} --server ${url} --ca ${caCert} --token ${auditor.token}\n`,
    );
    if (options.keepRunning) {
      keep = true;
      process.stdout.write(
        `\nThe control plane and the agents keep running (--keep-running); Ctrl-C stops them.\n`,
      );
      await new Promise<void>((resolveWait) => {
        process.once("SIGINT", () => resolveWait());
        process.once("SIGTERM", () => resolveWait());
      });
      keep = false;
    } else {
      process.stdout.write(`\nStopping the control plane and agents (use --keep-running to explore).\n`);
    }
  } finally {
    if (!keep) await run.shutdown();
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "Run a governed demo fleet on this machine (npm start): a CA, the control plane with mTLS, six agents " +
        "applying real Nix generations, a gate that blocks, a four-eyes waiver, a staged rollout that pauses on a " +
        "failing host, and the NIS2 report, OSCAL export and evidence bundle in <dir>/out/",
    )
    .option("--dir <dir>", "working folder, emptied at the start of every run", ".nixfleet-demo")
    .option(
      "--keep-running",
      "leave the control plane and agents up at the end to explore with the printed API URL and tokens (Ctrl-C stops them)",
    )
    .option(
      "--simulate",
      "use the simulated driver even where Nix is installed: systems are plain directories, switched without Nix " +
        "(a quick look; without Nix on PATH the demo does this by itself, and says so in a banner)",
    )
    .option("--json", "accepted for uniformity; the demo prints a story for people")
    .addHelpText(
      "after",
      `
Takes about 75 s on a quiet 2-core machine (up to 3 min when busy). Everything it starts stops at the end
unless --keep-running is given. Logs of the control plane and every agent: <dir>/logs/.

Without nix-build, nix-env and nix on PATH, or with --simulate, a banner says the SIMULATED driver is used
(docs/adr/0850-simulated-driver.md): the hosts' systems are directories in <dir>/simulated-store and the agents
switch them without Nix; CA, mTLS, control plane, agents, gate, health checks and reports stay real.

Examples:
  npm start                                   the story, then everything stops
  nixfleet demo --keep-running                explore afterwards (Ctrl-C stops)
  nixfleet demo --simulate --dir /tmp/demo    the story without Nix`,
    )
    .action(async (options: DemoOptions) => {
      await runDemo(options);
    });
}
