/**
 * A governed test fleet: machines registered on a real control plane, an agent process per machine with its own
 * profile and mTLS certificate, and releases as a real flake (nixosConfigurations.<host> with a test system as
 * toplevel, compliance facts and health checks) recorded with `nixfleet release create --flake` and built with
 * `nix build`. Everything goes through the CLI or the REST API.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { selectControls } from "../../controls/index.js";
import { writeSimulatedRoot } from "../../deploy/simulated-root.js";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import type { Rollout } from "../../schemas/generated/rollout.js";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";
import { makeAgent, systemHealthCheck, type TestAgent } from "./agent.js";
import { parseJson, REPO_ROOT, runCli } from "./cli.js";
import type { TestControlPlane } from "./control-plane.js";
import { buildTestSystem, currentSystem, installInitialSystem, nixEnv, type SystemBehaviour } from "./nix.js";
import { eventually } from "./processes.js";
import { tempDir } from "./temp.js";

/** Extra per-host knobs of a release's test systems. */
export interface ReleaseOptions {
  /** seconds a host's switch-to-configuration sleeps after logging to its marker and before flipping the link */
  sleepSeconds?: Record<string, number>;
}

/** Which facts a host's configuration produces: the example fleet's hardened or insecure host. */
export type FactsProfile = "hardened" | "insecure";

export interface FleetHostSpec {
  name: string;
  tags?: string[];
  facts?: FactsProfile;
  agent?: Partial<AgentConfig>;
}

export interface TestFleet {
  plane: TestControlPlane;
  agents: Map<string, TestAgent>;
  /** the operator token the fleet's CLI calls use */
  operatorToken: string;
  /** `--server --token --ca` for CLI calls as the operator */
  operatorFlags: string[];
  /** `--server --token --ca` for CLI calls as the first admin */
  adminFlags: string[];
  /** the v1 store path each host was installed with */
  initial: Map<string, string>;
  startAgents(names?: string[]): void;
  /**
   * Writes a flake whose hosts run `tag` (per-host behaviour, default good), records it with `release create
   * --flake`, builds every toplevel, and returns the release id and store paths.
   */
  release(
    tag: string,
    behaviour?: Record<string, SystemBehaviour>,
    options?: ReleaseOptions,
  ): Promise<{ id: string; paths: Map<string, string> }>;
  /** runs a `nixfleet …` command as the operator and returns its parsed --json output (throws on exit ≠ expected) */
  cli<T>(args: string[], expectCode?: number, flags?: string[]): Promise<T>;
  /** waits until the rollout satisfies `done` (polling `rollout status --json`) */
  waitForRollout(
    id: string,
    done: (r: Rollout) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Rollout>;
}

function factsFor(profile: FactsProfile, host: string): unknown {
  const file = join(REPO_ROOT, "examples", "fleet", `${profile}.json`);
  const facts = JSON.parse(readFileSync(file, "utf8")) as { nixfleet?: { meta?: { hostName?: string } } };
  // the example files describe web-01 and legacy-01; each test host says its own name
  if (facts.nixfleet?.meta) facts.nixfleet.meta.hostName = host;
  return facts;
}

/**
 * The runtime report of the example fleet's hardened web server (examples/runtime/web-01.json) for `host`,
 * without the drift that example carries on purpose (kernel.kptr_restrict set to 0 by hand).
 */
export function hardenedRuntime(host: string): RuntimeReport {
  const report = JSON.parse(
    readFileSync(join(REPO_ROOT, "examples", "runtime", "web-01.json"), "utf8"),
  ) as RuntimeReport;
  report.machineId = host;
  report.hostName = host;
  if (report.sysctl) report.sysctl["kernel.kptr_restrict"] = "2";
  return report;
}

/** Registers the hosts, issues their certificates and prepares their agents (not started). */
export async function createFleet(plane: TestControlPlane, hosts: FleetHostSpec[]): Promise<TestFleet> {
  const operatorToken = await plane.createToken("operator", "fleet operator");
  const remote = (token: string) => ["--server", plane.url, "--token", token, "--ca", plane.caCert];
  const operatorFlags = remote(operatorToken);
  const adminFlags = remote(plane.adminToken);
  const cli = async <T>(args: string[], expectCode = 0, flags = operatorFlags): Promise<T> => {
    const finished = await runCli([...args, ...flags, "--json"], { timeoutMs: 180_000 });
    if (finished.code !== expectCode)
      throw new Error(
        `nixfleet ${args.join(" ")} exited ${finished.code}, expected ${expectCode}\n${finished.stderr}\n${finished.stdout}`,
      );
    return parseJson<T>(finished);
  };
  const agents = new Map<string, TestAgent>();
  const initial = new Map<string, string>();
  const specs = new Map(hosts.map((h) => [h.name, h]));
  for (const spec of hosts) {
    await cli(["machines", "register", spec.name, ...(spec.tags ?? []).flatMap((t) => ["--tag", t])]);
    // the host's /proc as a hardened NixOS web server shows it (this container's own /proc is not one)
    const root = tempDir(`nixfleet-root-${spec.name}-`);
    writeSimulatedRoot(root, hardenedRuntime(spec.name));
    const agent = makeAgent(plane, spec.name, await plane.issueAgentCert(spec.name), {
      rootPath: root,
      ...spec.agent,
    });
    const v1 = buildTestSystem(agent.host, "v1");
    installInitialSystem(agent.host, v1);
    agents.set(spec.name, agent);
    initial.set(spec.name, v1);
  }
  const flakeRoot = tempDir("nixfleet-fleet-flake-");
  const system = currentSystem();

  const fleet: TestFleet = {
    plane,
    agents,
    operatorToken,
    operatorFlags,
    adminFlags,
    initial,
    startAgents(names) {
      for (const name of names ?? [...agents.keys()]) agents.get(name)!.start();
    },
    async release(tag, behaviour = {}, options = {}) {
      const dir = join(flakeRoot, tag);
      mkdirSync(join(dir, "facts"), { recursive: true });
      const firstHost = agents.values().next().value as TestAgent;
      copyFileSync(join(firstHost.host.dir, "system.nix"), join(dir, "system.nix"));
      const entries: string[] = [];
      for (const [name, agent] of agents) {
        const spec = specs.get(name)!;
        writeFileSync(
          join(dir, "facts", `${name}.json`),
          JSON.stringify(factsFor(spec.facts ?? "hardened", name)),
        );
        const unique = `${tag}-${name}-${agent.host.dir.split("/").pop()}`.replace(
          /[^A-Za-z0-9+._?=-]/g,
          "-",
        );
        entries.push(`    ${JSON.stringify(name)} = mk {
      tag = ${JSON.stringify(unique)};
      link = ${JSON.stringify(agent.host.currentLink)};
      marker = ${JSON.stringify(agent.host.marker)};
      behaviour = ${JSON.stringify(behaviour[name] ?? "good")};
      sleepSeconds = ${JSON.stringify(String(options.sleepSeconds?.[name] ?? 0))};
      facts = ./facts/${name}.json;
      healthChecks = builtins.fromJSON ${JSON.stringify(JSON.stringify([systemHealthCheck(agent.host)]))};
    };`);
      }
      writeFileSync(
        join(dir, "flake.nix"),
        `{
  description = "nixfleet e2e fleet, release ${tag}";
  outputs = { self }: let
    mk = { tag, link, marker, behaviour, sleepSeconds, facts, healthChecks }: let
      toplevel = import ./system.nix { inherit tag link marker behaviour sleepSeconds; system = ${JSON.stringify(system)}; };
      raw = builtins.fromJSON (builtins.readFile facts);
      meta = ((raw.nixfleet or {}).meta or {}) // { toplevel = toplevel.outPath; };
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
      const flake = `path:${dir}`;
      const created = await cli<{ id: string; hosts: { host: string; toplevel: string }[] }>([
        "release",
        "create",
        "--flake",
        flake,
      ]);
      // what CI would do next: build the toplevels the release names (agents find them in the store)
      const installables = [...agents.keys()].map(
        (name) => `${flake}#nixosConfigurations.${JSON.stringify(name)}.config.system.build.toplevel`,
      );
      const built = JSON.parse(
        execFileSync("nix", ["build", "--no-link", "--json", ...installables], {
          env: nixEnv(),
          encoding: "utf8",
        }),
      ) as { outputs: { out: string } }[];
      // `nix build --json` lists its results in an order of its own (not always the installables' order), so
      // the release names each host's path and the build must have made exactly those paths
      const made = new Set(built.map((b) => b.outputs.out));
      const paths = new Map(created.hosts.map((h) => [h.host, h.toplevel]));
      for (const name of agents.keys())
        if (!paths.has(name) || !made.has(paths.get(name)!))
          throw new Error(
            `release ${created.id} names ${paths.get(name)} for ${name}, nix build made ${[...made].join(", ")}`,
          );
      return { id: created.id, paths: new Map([...agents.keys()].map((name) => [name, paths.get(name)!])) };
    },
    cli,
    async waitForRollout(id, done, what, timeoutMs = 120_000) {
      let last: Rollout | undefined;
      try {
        return await eventually(
          what,
          async () => {
            last = await cli<Rollout>(["rollout", "status", id, "--hosts", "all"]);
            return done(last) ? last : undefined;
          },
          timeoutMs,
          500,
        );
      } catch (err) {
        const gates = await plane.api("GET", `/api/v1/rollouts/${id}/gate-decisions`);
        throw new Error(
          `${(err as Error).message}\nlast status: ${JSON.stringify(last)?.slice(0, 3000)}\ngate decisions: ${gates.text.slice(0, 4000)}`,
        );
      }
    },
  };
  return fleet;
}

/**
 * Sets the governed policy the rollout scenarios run under, as the demo does: the NIS2 controls with eval-time
 * checks, required and enforced (ADR 0801: runtime-checked controls end as error on a simulated root without
 * systemd, which would block every batch in enforce mode). Returns the required control ids.
 */
export async function enforceEvalTimeNis2(fleet: TestFleet): Promise<string[]> {
  const required = selectControls({ frameworks: ["nis2"] })
    .filter((c) => c.runtime === undefined)
    .map((c) => c.id);
  const policy = join(tempDir(), "policy.json");
  writeFileSync(
    policy,
    JSON.stringify({ version: 1, frameworks: ["nis2"], requiredControls: required, mode: "enforce" }),
  );
  await fleet.cli(["policy", "set", "--file", policy], 0, fleet.adminFlags);
  return required;
}
