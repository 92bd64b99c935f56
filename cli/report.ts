/**
 * `nixfleet report nis2` and `nixfleet report nis2-mapping`. The NIS2 report's inputs come from one of:
 * - `--facts FILE [--policy FILE]`: controls evaluated here, waivers from the policy (eval-time assessment);
 * - `--db PATH`: the control plane's SQLite database, read offline (eval and runtime evidence, rollouts);
 * - `--server URL --token T`: the control plane's GET /api/v1/reports/nis2 (the JSON twin; the PDF is rendered
 *   here from it, byte-for-byte the view model the server built).
 */

import type { KeyObject } from "node:crypto";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { frameworks as frameworkCatalog } from "../controls/frameworks/index.js";
import type { Facts } from "../controls/types.js";
import { canonicalHash } from "../evidence/canonical.js";
import { readJsonFile } from "../evidence/json-file.js";
import { buildNis2Mapping } from "../evidence/nis2-mapping.js";
import { type EvidenceRecord, recordFromResult, sealRecord } from "../evidence/records.js";
import { loadPrivateKey } from "../evidence/sign.js";
import {
  buildNis2Report,
  type EvidencedResult,
  type Nis2ReportInput,
  nis2ReportJson,
  type ReportHost,
} from "../reports/nis2/model.js";
import type { Nis2ReportModel } from "../schemas/generated/nis2-report.js";
import type { Policy } from "../schemas/generated/policy.js";
import { newId } from "../schemas/ids.js";
import { validate } from "../schemas/registry.js";
import { checkFleet, factsByHost, loadPolicy } from "./compliance.js";
import { UsageError } from "./errors.js";
import { group } from "./groups.js";
import { type RemoteOptions, remoteClient } from "./remote.js";

const DAY_MS = 86_400_000;
const ENTITY_TYPES = ["essential", "important"] as const;

/** The package version (dist/cli → repository root), printed in every report. */
export function generatorVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        version?: string;
        name?: string;
      };
      if (pkg.name === "nixfleet") return pkg.version ?? "0.0.0";
    } catch {
      // try the next location
    }
  }
  return "0.0.0";
}

function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not an ISO 8601 date or date-time`);
  return ms;
}

/** --since / --until → a period; until defaults to now, since to 30 days before until. */
export function periodFrom(
  opts: { since?: string; until?: string },
  now: number,
): { sinceMs: number; untilMs: number } {
  const untilMs = parseTime(opts.until, "--until") ?? now;
  const sinceMs = parseTime(opts.since, "--since") ?? untilMs - 30 * DAY_MS;
  if (sinceMs > untilMs) throw new UsageError("--since is after --until");
  return { sinceMs, untilMs };
}

/** SHA-256 of a file given with --bundle, so the report names the bundle it rests on. */
function bundleDigest(path: string | undefined): string | null {
  if (path === undefined) return null;
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (err) {
    throw new UsageError(
      `--bundle ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

function platformOf(facts: Facts): "nixos" | "darwin" {
  const meta = facts.nixfleet.meta;
  if (meta.platform === "nixos" || meta.platform === "darwin") return meta.platform;
  return meta.system.endsWith("-darwin") ? "darwin" : "nixos";
}

export interface FactsReportOptions {
  facts: string;
  policy?: string | undefined;
  period: { sinceMs: number; untilMs: number };
  entity: { name: string; type?: "essential" | "important" | undefined };
  generatedAt: string;
  signingKey?: KeyObject | undefined;
  evidenceBundleSha256: string | null;
}

/**
 * Facts → builder input: controls evaluated at the end of the period, waivers applied by the governance gate,
 * each result sealed as an evidence record whose id derives from its content, so two runs on the same inputs
 * produce the same report.
 */
export function nis2InputFromFacts(options: FactsReportOptions): {
  input: Nis2ReportInput;
  records: EvidenceRecord[];
} {
  const now = new Date(options.period.untilMs);
  const policyFile = options.policy !== undefined ? loadPolicy(options.policy, now) : undefined;
  const policy: Policy = { version: 1, requiredControls: ["*"], mode: "enforce", ...policyFile };
  const hosts = factsByHost(
    readJsonFile(options.facts, "facts"),
    options.facts === "-" ? "<stdin>" : options.facts,
  );
  const entityType = options.entity.type ?? policy.nis2Entity;
  const outcome = checkFleet({
    hosts,
    inputs: { kind: "facts", source: options.facts, hosts: [...hosts.keys()] },
    policy,
    profile: {
      frameworks: policy.frameworks ? [...policy.frameworks] : [],
      level: policy.anssiLevel,
      entity: entityType,
    },
    format: "table",
    now,
    version: generatorVersion(),
  });
  const records: EvidenceRecord[] = [];
  const results: EvidencedResult[] = outcome.report.results.map((r) => {
    const collectedAt = r.collectedAt ?? now.toISOString();
    const seed = Buffer.from(
      canonicalHash({ host: r.host, controlId: r.controlId, source: r.source, collectedAt }),
      "hex",
    );
    const record = sealRecord(
      recordFromResult(r, { id: newId("evd", Date.parse(collectedAt), seed.subarray(0, 10)), collectedAt }),
      options.signingKey,
    );
    records.push(record);
    return { ...r, evidenceId: record.id, collectedAt: record.collectedAt, evidenceSha256: record.sha256 };
  });
  const inventory: ReportHost[] = [...hosts].map(([host, facts]) => {
    const meta = facts.nixfleet.meta;
    return {
      host,
      platform: platformOf(facts),
      tags: meta.tags ?? [],
      nixosVersion: meta.nixosVersion ?? null,
      toplevel: meta.toplevel ?? null,
      flakeRevision: meta.flakeRevision ?? null,
    };
  });
  const input: Nis2ReportInput = {
    entity: { name: options.entity.name, ...(entityType ? { type: entityType } : {}) },
    period: { since: new Date(options.period.sinceMs).toISOString(), until: now.toISOString() },
    generatedAt: options.generatedAt,
    generatorVersion: generatorVersion(),
    source: {
      kind: "facts",
      location: options.facts + (options.policy ? ` (policy ${options.policy})` : ""),
    },
    profile: {
      ...(policy.frameworks ? { frameworks: policy.frameworks } : {}),
      ...(policy.anssiLevel ? { level: policy.anssiLevel } : {}),
    },
    freshness: {
      evalMaxAgeHours: policy.freshness?.evalMaxAgeHours ?? 720,
      runtimeMaxAgeHours: policy.freshness?.runtimeMaxAgeHours ?? 24,
    },
    runtimeEvidenceRequired: false,
    inventory,
    results,
    waivers: policy.waivers ?? [],
    rollouts: [],
    evidenceBundleSha256: options.evidenceBundleSha256,
  };
  return { input, records };
}

interface Nis2CommandOptions extends RemoteOptions {
  out?: string;
  format?: string;
  since?: string;
  until?: string;
  entity?: string;
  entityType?: string;
  facts?: string;
  policy?: string;
  db?: string;
  bundle?: string;
  evidenceOut?: string;
  signKey?: string;
  generatedAt?: string;
}

/** The whole `report nis2` command without commander; returns the model and the bytes written. */
export async function runNis2Report(
  opts: Nis2CommandOptions,
  now: number = Date.now(),
): Promise<{ model: Nis2ReportModel; bytes: Buffer; format: "pdf" | "json" }> {
  const format = opts.format ?? (opts.out?.endsWith(".json") ? "json" : "pdf");
  if (format !== "pdf" && format !== "json")
    throw new UsageError(`--format must be pdf or json, not ${format}`);
  const sources = [opts.facts, opts.db, opts.server].filter((s) => s !== undefined).length;
  if (sources !== 1)
    throw new UsageError("give exactly one source of evidence: --facts FILE, --db PATH or --server URL");
  if (opts.policy !== undefined && opts.facts === undefined)
    throw new UsageError("--policy goes with --facts (the database and the server have their own policy)");
  if (format === "pdf" && opts.out === undefined)
    throw new UsageError("a PDF needs --out FILE (or use --format json to print the JSON twin)");
  const entityType = opts.entityType;
  if (entityType !== undefined && !(ENTITY_TYPES as readonly string[]).includes(entityType))
    throw new UsageError(`--entity-type must be essential or important, not ${entityType}`);
  const generatedAtMs = parseTime(opts.generatedAt, "--generated-at") ?? now;
  const generatedAt = new Date(generatedAtMs).toISOString();
  const period = periodFrom(opts, now);
  const entity = {
    name: opts.entity ?? "unnamed entity",
    type: entityType as "essential" | "important" | undefined,
  };
  const evidenceBundleSha256 = bundleDigest(opts.bundle);

  let model: Nis2ReportModel;
  if (opts.facts !== undefined) {
    const signingKey = opts.signKey !== undefined ? loadPrivateKey(opts.signKey) : undefined;
    const { input, records } = nis2InputFromFacts({
      facts: opts.facts,
      policy: opts.policy,
      period,
      entity,
      generatedAt,
      signingKey,
      evidenceBundleSha256,
    });
    model = buildNis2Report(input);
    if (opts.evidenceOut !== undefined)
      writeFileSync(opts.evidenceOut, `${JSON.stringify({ evidence: records }, null, 2)}\n`);
  } else if (opts.db !== undefined) {
    if (!existsSync(opts.db)) throw new UsageError(`--db ${opts.db}: no such database file`);
    // Loaded on demand: the SQLite driver and the control plane's queries are not needed by the other sources.
    const { openDatabase } = await import("../api/db/client.js");
    const { nis2InputFromDb } = await import("../api/reporting/nis2.js");
    const db = openDatabase(opts.db);
    try {
      model = buildNis2Report(
        nis2InputFromDb(db, {
          period,
          entity,
          generatedAt,
          generatorVersion: generatorVersion(),
          location: opts.db,
          evidenceBundleSha256,
        }),
      );
    } finally {
      db.sqlite.close();
    }
  } else {
    const api = remoteClient(opts);
    const text = await api.text("GET", "/api/v1/reports/nis2", {
      format: "json",
      since: new Date(period.sinceMs).toISOString(),
      until: new Date(period.untilMs).toISOString(),
      ...(opts.entity !== undefined ? { entity: opts.entity } : {}),
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`${opts.server}: the answer is not JSON`);
    }
    model = validate<Nis2ReportModel>("nis2-report", parsed, `${opts.server} /api/v1/reports/nis2`);
    if (evidenceBundleSha256 !== null) model.identification.evidenceBundleSha256 = evidenceBundleSha256;
  }
  let bytes: Buffer;
  if (format === "json") bytes = Buffer.from(nis2ReportJson(model), "utf8");
  else {
    const { renderNis2Pdf } = await import("../reports/nis2/pdf.js");
    bytes = await renderNis2Pdf(model);
  }
  if (opts.out !== undefined && opts.out !== "-") writeFileSync(opts.out, bytes);
  return { model, bytes, format };
}

function printMappingTable(mapping: ReturnType<typeof buildNis2Mapping>): string {
  const lines = ["POINT  CONTROLS  ISO27001  BP-028  DORA  MEASURE"];
  for (const p of mapping.points)
    lines.push(
      `(${p.point})    ${String(p.controls.length).padEnd(8)}  ${String(p.requirements.iso27001.length).padEnd(8)}  ${String(p.requirements["anssi-bp028"].length).padEnd(6)}  ${String(p.requirements.dora.length).padEnd(4)}  ${p.title}`,
    );
  return lines.join("\n");
}

export function registerReportCommand(program: Command): void {
  const report = group(program, "report", "Auditor reports: NIS2 Article 21 report and the NIS2 mapping");
  report
    .command("nis2")
    .description(
      "The NIS2 Article 21 report of a period: PDF (default) or its JSON twin (the view model, schemas/nis2-report)",
    )
    .option("--out <file>", "write the report here (required for PDF; '-' or absent prints JSON)")
    .option("--format <format>", "pdf or json (default: pdf, or json when --out ends in .json)")
    .option("--since <date>", "start of the period (ISO 8601; default 30 days before --until)")
    .option("--until <date>", "end of the period (ISO 8601; default now)")
    .option("--entity <name>", "name of the reporting entity")
    .option("--entity-type <type>", "essential or important (default: the policy's nis2Entity)")
    .option("--facts <file>", "source: facts of one host or host → facts; controls are evaluated here")
    .option("--policy <file>", "with --facts: the governance policy (profile, freshness, waivers)")
    .option("--db <path>", "source: the control plane's SQLite database, read offline")
    .option("--server <url>", "source: the control plane (GET /api/v1/reports/nis2; env NIXFLEET_URL)")
    .option("--token <token>", "with --server: an admin or auditor token (env NIXFLEET_TOKEN)")
    .option("--ca <file>", "with --server: CA certificate of the server (env NIXFLEET_CA)")
    .option("--bundle <file>", "the evidence bundle of the period: its SHA-256 is printed in the report")
    .option("--evidence-out <file>", "with --facts: write the sealed evidence records the report cites")
    .option("--sign-key <file>", "with --facts: sign those records with this Ed25519 key")
    .option(
      "--generated-at <date>",
      "the generation time to print (default now; fixes it for reproducible output)",
    )
    .option("--json", "print a JSON summary of what was written")
    .action(async (opts: Nis2CommandOptions) => {
      const { model, bytes, format } = await runNis2Report(opts);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      if (opts.out === undefined || opts.out === "-") {
        if (format !== "json") throw new UsageError("a PDF needs --out FILE");
        process.stdout.write(bytes);
        return;
      }
      const summary = {
        out: opts.out,
        format,
        bytes: bytes.length,
        sha256,
        overall: model.summary.overall,
        hosts: model.summary.hostsInScope,
        findings: model.findings.length,
        points: Object.fromEntries(model.summary.points.map((p) => [p.point, p.status])),
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else
        process.stdout.write(
          `wrote ${opts.out} (${format}, ${bytes.length} bytes, sha256 ${sha256})\noverall: ${summary.overall}; ${summary.hosts} host(s), ${summary.findings} finding(s)\n${model.summary.points.map((p) => `  (${p.point}) ${p.status}`).join("\n")}\n`,
        );
    });

  report
    .command("nis2-mapping")
    .description(
      "The machine-readable NIS2 Art. 21(2) mapping: per point (a)-(j) the controls, ISO 27001 / BP-028 / DORA requirements and evidence types",
    )
    .option("--out <file>", "write the JSON document to a file")
    .option("--json", "print the JSON document (schemas/nis2-mapping)")
    .action((opts: { out?: string; json?: boolean }) => {
      const mapping = validate<ReturnType<typeof buildNis2Mapping>>(
        "nis2-mapping",
        buildNis2Mapping(generatorVersion()),
        "generated mapping",
      );
      const text = `${JSON.stringify(mapping, null, 2)}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, text);
      if (opts.json) process.stdout.write(text);
      else if (opts.out === undefined) process.stdout.write(`${printMappingTable(mapping)}\n`);
      else
        process.stdout.write(
          `wrote ${opts.out} (${Object.keys(frameworkCatalog).length - 1} other frameworks mapped)\n`,
        );
    });
}
