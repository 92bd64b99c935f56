/**
 * `nixfleet compliance-check`: facts (a file, stdin, or a flake through `nix eval`) → controls → evidence →
 * table / JSON / SARIF / JUnit / OSCAL → exit code from the governance gate. Exit 0 when every required control
 * passes (or is waived), 1 when one fails or lacks fresh evidence, 2 on bad usage or input. The business
 * function `runComplianceCheck` is callable without commander (the benchmark uses it).
 */
import { spawnSync } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { frameworks as frameworkCatalog } from "../controls/frameworks/index.js";
import { evaluateHost, getControl, selectControls, withLockAge } from "../controls/index.js";
import {
  ANSSI_LEVELS,
  type AnssiLevel,
  type Control,
  type Facts,
  type FrameworkId,
} from "../controls/types.js";
import { decideGate, markWaived, unknownControlIssues, validateWaivers } from "../engine/governance/index.js";
import { buildComplianceReport, type ComplianceReport, renderJson } from "../evidence/exporters/json.js";
import { InputError, parseJsonText, pointerToPath, readJsonFile } from "../evidence/json-file.js";
import { recordFromResult, sealRecord } from "../evidence/records.js";
import { loadPrivateKey } from "../evidence/sign.js";
import type { ControlResult } from "../schemas/generated/control-result.js";
import type { EvidenceRecord } from "../schemas/generated/evidence-record.js";
import type { Policy } from "../schemas/generated/policy.js";
import { check, type SchemaIssue } from "../schemas/registry.js";
import { CheckFailed, UsageError } from "./errors.js";

export const FORMATS = ["table", "json", "sarif", "junit", "oscal"] as const;
export type OutputFormat = (typeof FORMATS)[number];
const FRAMEWORK_IDS = Object.keys(frameworkCatalog) as FrameworkId[];
const ENTITIES = ["essential", "important"] as const;

export interface ComplianceCheckOptions {
  facts?: string | undefined;
  flake?: string | undefined;
  hosts?: readonly string[] | undefined;
  frameworks?: readonly string[] | undefined;
  level?: string | undefined;
  entity?: string | undefined;
  policy?: string | undefined;
  format?: string | undefined;
  signKey?: string | undefined;
  /** The time of the run; evidence freshness and waiver expiry are judged against it. */
  now?: Date;
  env?: NodeJS.ProcessEnv;
}

export interface ComplianceCheckOutcome {
  report: ComplianceReport;
  controls: Control[];
  format: OutputFormat;
  /** The rendered output in the requested format (filled by runComplianceCheck; checkFleet leaves it empty). */
  output: string;
  exitCode: 0 | 1;
}

/** Reads the package version once (dist/cli → repository root), for the report's generator field. */
function generatorVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** "a,b" and repeated flags → one list, trimmed, empty entries dropped. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`unknown ${what} "${value}" (expected one of: ${allowed.join(", ")})`);
  return value as T;
}

function issuesMessage(source: string, what: string, issues: readonly SchemaIssue[], prefix = ""): string {
  const lines = issues.slice(0, 10).map((i) => `  at ${pointerToPath(prefix + i.path)}: ${i.message}`);
  const more = issues.length > 10 ? `\n  (and ${issues.length - 10} more)` : "";
  const first = issues[0]!;
  return `${source}: invalid ${what} at ${pointerToPath(prefix + first.path)}: ${first.message}\n${lines.join("\n")}${more}`;
}

/** Loads, validates and checks a policy file: schema, known control ids, waivers valid at `now`. */
export function loadPolicy(path: string, now: Date): Policy {
  const document = readJsonFile(path, "policy");
  const schemaIssues = check("policy", document);
  if (schemaIssues.length > 0) throw new UsageError(issuesMessage(path, "policy", schemaIssues));
  const policy = document as Policy;
  const issues = [...unknownControlIssues(policy), ...validateWaivers(policy, now)];
  if (issues.length > 0) throw new UsageError(issuesMessage(path, "policy", issues));
  return policy;
}

/** One host's facts, or an object host → facts: a document with `nixfleet.meta` at the top is one host. */
export function factsByHost(document: unknown, source: string): Map<string, Facts> {
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new UsageError(
      `${source}: invalid facts at $: expected an object (one host's facts, or host name → facts)`,
    );
  const obj = document as Record<string, unknown>;
  const single = "nixfleet" in obj;
  const entries: [string, unknown][] = single ? [["", obj]] : Object.entries(obj);
  if (entries.length === 0) throw new UsageError(`${source}: invalid facts at $: no hosts`);
  const hosts = new Map<string, Facts>();
  for (const [key, facts] of entries) {
    const prefix = single ? "" : `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const issues = check("facts", facts);
    if (issues.length > 0) throw new UsageError(issuesMessage(source, "facts", issues, prefix));
    const f = facts as Facts;
    hosts.set(single ? f.nixfleet.meta.hostName : key, f);
  }
  return hosts;
}

function nixAttr(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) ? name : JSON.stringify(name);
}

/** Runs `nix eval --json …` and parses its output; a missing nix or a failing evaluation is a UsageError. */
function nixEvalJson(args: string[], what: string, env: NodeJS.ProcessEnv): unknown {
  const proc = spawnSync("nix", ["eval", "--json", ...args], {
    env,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  if (proc.error) {
    const code = (proc.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new UsageError(
        "--flake needs the `nix` command, which is not installed or not on PATH (Debian: apt install nix-bin; " +
          "or pass facts with --facts FILE)",
      );
    throw new UsageError(`cannot run nix: ${proc.error.message}`);
  }
  if (proc.status !== 0) {
    const detail = proc.stderr.trim().split("\n").slice(-6).join("\n");
    throw new UsageError(`nix eval of ${what} failed (exit ${proc.status}):\n${detail}`);
  }
  return parseJsonText(proc.stdout, `nix eval ${what}`);
}

/** Facts of every (or the named) nixosConfigurations host of a flake, one `nix eval` per host. */
export function factsFromFlake(
  flake: string,
  wanted: readonly string[],
  env: NodeJS.ProcessEnv,
): Map<string, Facts> {
  const listAttr = `${flake}#nixosConfigurations`;
  const names = nixEvalJson([listAttr, "--apply", "builtins.attrNames"], listAttr, env);
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string"))
    throw new UsageError(`${listAttr}: expected a list of host names from builtins.attrNames`);
  for (const host of wanted)
    if (!names.includes(host))
      throw new UsageError(`${flake}: no nixosConfigurations.${host} (hosts: ${names.join(", ") || "none"})`);
  const hosts = new Map<string, Facts>();
  for (const host of wanted.length > 0 ? wanted : (names as string[])) {
    const attr = `${flake}#nixosConfigurations.${nixAttr(host)}.config.nixfleet.compliance.facts`;
    const facts = nixEvalJson([attr], attr, env);
    const issues = check("facts", facts);
    if (issues.length > 0) throw new UsageError(issuesMessage(attr, "facts", issues));
    hosts.set(host, facts as Facts);
  }
  return hosts;
}

/** Everything but the I/O of reading inputs: evaluate, gate, build the report, render. */
export function checkFleet(input: {
  hosts: Map<string, Facts>;
  inputs: ComplianceReport["inputs"];
  policy: Policy;
  profile: {
    frameworks: FrameworkId[];
    level?: AnssiLevel | undefined;
    entity?: "essential" | "important" | undefined;
  };
  format: OutputFormat;
  now: Date;
  signingKey?: KeyObject | undefined;
  version?: string;
}): ComplianceCheckOutcome {
  const { profile, policy, now } = input;
  const selected = selectControls({
    frameworks: profile.frameworks,
    ...(profile.level ? { level: profile.level } : {}),
    ...(profile.entity ? { entity: profile.entity } : {}),
  });
  // Explicitly required controls are evaluated even when the profile would leave them out.
  const extra = (policy.requiredControls ?? [])
    .map((id) => getControl(id))
    .filter((c): c is Control => c !== undefined && !selected.includes(c));
  const controls = [...selected, ...extra].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const nowIso = now.toISOString();
  // Evidence records are written only into the JSON report; other formats would reference ids nobody can resolve.
  const withEvidence = input.format === "json";
  const results: ControlResult[] = [];
  const evidence: EvidenceRecord[] = [];
  for (const [host, facts] of input.hosts) {
    // Facts carry when the lock was updated (nixfleet.meta.lockLastModified); only here is there a clock.
    for (const result of evaluateHost(host, withLockAge(facts, now), controls)) {
      // Facts without their own collection time were collected now, by this run.
      if (result.collectedAt === undefined) result.collectedAt = nowIso;
      if (withEvidence) {
        const record = sealRecord(
          recordFromResult(result, { collectedAt: nowIso, source: "eval" }),
          input.signingKey,
        );
        result.evidenceId = record.id;
        evidence.push(record);
      }
      results.push(result);
    }
  }

  const targets = [...input.hosts].map(([host, facts]) => {
    const tags = facts.nixfleet.meta.tags;
    return tags ? { host, tags } : { host };
  });
  const decision = decideGate({ policy, targets, results, now, phase: "pre-rollout" });
  const report = buildComplianceReport({
    generatorVersion: input.version ?? generatorVersion(),
    generatedAt: nowIso,
    inputs: input.inputs,
    profile,
    controls,
    results: markWaived(results, decision, policy),
    evidence: withEvidence ? evidence : undefined,
    decision,
  });
  return { report, controls, format: input.format, output: "", exitCode: report.exitCode === 1 ? 1 : 0 };
}

/**
 * Renders a report. Exporters load on demand: xmlbuilder2 and the OSCAL/SARIF code would otherwise add to
 * every start of the CLI, and a single-host check is budgeted at 4× a bare Node start-up.
 */
export async function renderReport(
  report: ComplianceReport,
  controls: readonly Control[],
  format: OutputFormat,
): Promise<string> {
  switch (format) {
    case "json":
      return renderJson(report);
    case "sarif": {
      const { renderSarif } = await import("../evidence/exporters/sarif.js");
      const artifactUri =
        report.inputs.kind === "facts" && report.inputs.source !== "-" ? report.inputs.source : undefined;
      return renderSarif(report, controls, artifactUri ? { artifactUri } : {});
    }
    case "junit":
      return (await import("../evidence/exporters/junit.js")).renderJunit(report);
    case "oscal":
      return (await import("../evidence/exporters/oscal.js")).renderOscal(report, controls);
    case "table":
      return (await import("../evidence/exporters/table.js")).renderTable(report, controls);
  }
}

/** The whole command without commander: validates usage and inputs (UsageError / InputError → exit 2). */
export async function runComplianceCheck(options: ComplianceCheckOptions): Promise<ComplianceCheckOutcome> {
  const now = options.now ?? new Date();
  const env = options.env ?? process.env;
  if (options.facts === undefined && options.flake === undefined)
    throw new UsageError("give the facts to check: --facts FILE (or - for stdin), or --flake REF");
  if (options.facts !== undefined && options.flake !== undefined)
    throw new UsageError("--facts and --flake exclude each other");
  const format = oneOf(options.format ?? "table", FORMATS, "format");
  const frameworkList = splitList(options.frameworks).map((f) => oneOf(f, FRAMEWORK_IDS, "framework"));
  const level = options.level === undefined ? undefined : oneOf(options.level, ANSSI_LEVELS, "level");
  const entity =
    options.entity === undefined ? undefined : oneOf(options.entity, ENTITIES, "NIS2 entity type");
  if (options.signKey !== undefined && format !== "json")
    throw new UsageError(
      "--sign-key signs the evidence records, which only the JSON report carries: add --format json",
    );
  const signingKey = options.signKey !== undefined ? loadPrivateKey(options.signKey) : undefined;

  const filePolicy = options.policy !== undefined ? loadPolicy(options.policy, now) : undefined;
  // Command-line profile flags override the policy's; without a policy every selected control is required.
  const policy: Policy = { version: 1, requiredControls: ["*"], mode: "enforce", ...filePolicy };
  if (frameworkList.length > 0) policy.frameworks = [...new Set(frameworkList)];
  if (level) policy.anssiLevel = level;
  if (entity) policy.nis2Entity = entity;

  const wanted = splitList(options.hosts);
  let hosts: Map<string, Facts>;
  let inputs: ComplianceReport["inputs"];
  if (options.facts !== undefined) {
    const source = options.facts;
    hosts = factsByHost(readJsonFile(source, "facts"), source === "-" ? "<stdin>" : source);
    if (wanted.length > 0) {
      for (const host of wanted)
        if (!hosts.has(host))
          throw new UsageError(`${source}: no host "${host}" (hosts: ${[...hosts.keys()].join(", ")})`);
      hosts = new Map(wanted.map((h) => [h, hosts.get(h)!]));
    }
    inputs = { kind: "facts", source, hosts: [...hosts.keys()] };
  } else {
    hosts = factsFromFlake(options.flake!, wanted, env);
    inputs = { kind: "flake", source: options.flake!, hosts: [...hosts.keys()] };
  }
  if (options.policy !== undefined) {
    inputs.policy = options.policy;
  }
  const outcome = checkFleet({
    hosts,
    inputs,
    policy,
    profile: {
      frameworks: policy.frameworks ? [...policy.frameworks] : [],
      level: policy.anssiLevel,
      entity: policy.nis2Entity,
    },
    format,
    now,
    signingKey,
  });
  outcome.output = await renderReport(outcome.report, outcome.controls, format);
  return outcome;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerComplianceCommand(program: Command): void {
  program
    .command("compliance-check")
    .description(
      "Check hosts' eval-time facts against the control catalog (NIS2, DORA, ISO 27001:2022, ANSSI BP-028) and " +
        "exit with the governance verdict: 0 every required control passes (or is waived), 1 one fails or has no " +
        "fresh evidence, 2 bad usage or input.",
    )
    .option("--facts <file>", 'facts of one host, or an object host name → facts ("-" reads stdin)')
    .option(
      "--flake <ref>",
      "a flake: facts from nix eval of nixosConfigurations.<host>.config.nixfleet.compliance.facts",
    )
    .option("--host <name>", "only these hosts (repeatable, or comma-separated)", collect)
    .option(
      "--framework <id>",
      `only controls mapped to these frameworks: ${FRAMEWORK_IDS.join(", ")} (repeatable, or comma-separated)`,
      collect,
    )
    .option("--level <level>", `ANSSI BP-028 level of the hosts: ${ANSSI_LEVELS.join(", ")}`)
    .option("--entity <type>", "NIS2 entity type: essential or important")
    .option(
      "--policy <file>",
      "governance policy (schemas/policy.schema.json): required controls, waivers, freshness",
    )
    .option("--format <format>", `output format: ${FORMATS.join(", ")}`, "table")
    .option("--output <file>", "write the output to this file instead of stdout")
    .option("--json", "same as --format json")
    .option("--sign-key <file>", "Ed25519 private key (PEM) to sign the evidence records of the JSON report")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  nixfleet compliance-check --facts examples/fleet/fleet.json --policy examples/policy.json\n" +
        "  nixfleet compliance-check --flake . --framework anssi-bp028 --level intermediary --format sarif --output nixfleet.sarif\n" +
        "  nix eval --json .#nixosConfigurations.web.config.nixfleet.compliance.facts | nixfleet compliance-check --facts - --json\n",
    )
    .action(
      async (opts: {
        facts?: string;
        flake?: string;
        host?: string[];
        framework?: string[];
        level?: string;
        entity?: string;
        policy?: string;
        format: string;
        output?: string;
        json?: boolean;
        signKey?: string;
      }) => {
        if (opts.json && opts.format !== "table" && opts.format !== "json")
          throw new UsageError(`--json and --format ${opts.format} exclude each other`);
        const outcome = await runComplianceCheck({
          facts: opts.facts,
          flake: opts.flake,
          hosts: opts.host,
          frameworks: opts.framework,
          level: opts.level,
          entity: opts.entity,
          policy: opts.policy,
          format: opts.json ? "json" : opts.format,
          signKey: opts.signKey,
        });
        if (opts.output !== undefined) {
          try {
            writeFileSync(opts.output, outcome.output);
          } catch (err) {
            throw new InputError(
              `${opts.output}: cannot write output: ${(err as Error).message}`,
              opts.output,
            );
          }
        } else process.stdout.write(outcome.output);
        if (outcome.exitCode === 1) {
          const c = outcome.report.decision.counts;
          throw new CheckFailed(
            `compliance-check: blocked — ${c.fail} failed, ${c.missing} missing, ${c.stale} stale, ${c.error} error ` +
              `(of ${c.required} required control results on ${c.targets} host(s))`,
          );
        }
      },
    );
}
