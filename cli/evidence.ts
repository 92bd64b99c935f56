/**
 * `nixfleet evidence keygen | export | verify`: Ed25519 signing keys, signed evidence bundles of a period (or
 * OSCAL assessment results of it), and offline verification of a bundle or of evidence record files.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { selectControls } from "../controls/index.js";
import { decideGate } from "../engine/governance/index.js";
import {
  type BundleAuditEvent,
  type BundleVerification,
  buildBundle,
  isBundle,
  serializeBundle,
  verifyBundleFile,
} from "../evidence/bundle.js";
import { buildComplianceReport } from "../evidence/exporters/json.js";
import { InputError, parseJsonText } from "../evidence/json-file.js";
import {
  type EvidenceFileReport,
  type EvidenceRecord,
  recordsIn,
  verifyRecord,
} from "../evidence/records.js";
import { keyIdOf, loadPrivateKey, loadPublicKey, writeSigningKeyPair } from "../evidence/sign.js";
import type { ControlResult } from "../schemas/generated/control-result.js";
import type { Policy } from "../schemas/generated/policy.js";
import { CheckFailed, UsageError } from "./errors.js";
import { group } from "./groups.js";
import { type RemoteOptions, remoteClient } from "./remote.js";
import { generatorVersion, periodFrom } from "./report.js";

interface PeriodEvidence {
  period: { since: string; until: string };
  records: EvidenceRecord[];
  audit: { events: BundleAuditEvent[]; anchorHash: string | null };
  /** what OSCAL needs beyond the records: results, hosts, policy (database source only) */
  results?: (ControlResult & { evidenceId: string })[];
  hosts?: string[];
  policy?: Policy;
}

interface ExportOptions extends RemoteOptions {
  since?: string;
  until?: string;
  out?: string;
  db?: string;
  key?: string;
  format?: string;
}

async function periodEvidence(opts: ExportOptions, now: number): Promise<PeriodEvidence> {
  const period = periodFrom(opts, now);
  const iso = {
    since: new Date(period.sinceMs).toISOString(),
    until: new Date(period.untilMs).toISOString(),
  };
  if ((opts.db === undefined) === (opts.server === undefined))
    throw new UsageError("give exactly one source: --db PATH (offline) or --server URL");
  if (opts.db !== undefined) {
    if (!existsSync(opts.db)) throw new UsageError(`--db ${opts.db}: no such database file`);
    const { openDatabase } = await import("../api/db/client.js");
    const { collectPeriod, auditEventsOf } = await import("../api/reporting/collect.js");
    const db = openDatabase(opts.db);
    try {
      const collected = collectPeriod(db, period);
      return {
        period: iso,
        records: collected.records,
        audit: auditEventsOf(db, period),
        results: collected.results,
        hosts: collected.inventory.map((h) => h.host),
        policy: collected.policy,
      };
    } finally {
      db.sqlite.close();
    }
  }
  const api = remoteClient(opts);
  const body = await api.get<{
    records: EvidenceRecord[];
    audit: { events: BundleAuditEvent[]; anchorHash: string | null };
  }>("/api/v1/reports/evidence", iso);
  return { period: iso, records: body.records, audit: body.audit };
}

/** OSCAL assessment results of the period through the compliance exporter (evidence/exporters/oscal.ts). */
async function oscalOf(evidence: PeriodEvidence, generatedAt: string, source: string): Promise<string> {
  if (!evidence.results || !evidence.policy || !evidence.hosts)
    throw new UsageError("--format oscal needs --db (the control plane's results, not only its records)");
  const { renderOscal } = await import("../evidence/exporters/oscal.js");
  const policy = evidence.policy;
  const controls = selectControls({
    ...(policy.frameworks ? { frameworks: policy.frameworks } : {}),
    ...(policy.anssiLevel ? { level: policy.anssiLevel } : {}),
    ...(policy.nis2Entity ? { entity: policy.nis2Entity } : {}),
  });
  const decision = decideGate({
    policy,
    targets: evidence.hosts.map((host) => ({ host })),
    results: evidence.results,
    now: evidence.period.until,
    phase: "pre-batch",
  });
  const report = buildComplianceReport({
    generatorVersion: generatorVersion(),
    generatedAt,
    // The compliance report names facts or a flake as its input; here the facts are the releases' and the
    // runtime reports' stored in the control plane, named by the source.
    inputs: { kind: "facts", source, hosts: evidence.hosts },
    profile: {
      frameworks: policy.frameworks ?? [],
      level: policy.anssiLevel,
      entity: policy.nis2Entity,
    },
    controls,
    results: evidence.results.map(
      ({ evidenceSha256: _d, ...r }: ControlResult & { evidenceSha256?: string }) => r,
    ),
    evidence: evidence.records,
    decision,
  });
  return renderOscal(report, controls);
}

/** `evidence verify`: a bundle, or a file of evidence records (one, an array, or {evidence|records: […]}). */
export function verifyEvidence(
  file: string,
  pubkey: string | undefined,
):
  | { kind: "bundle"; report: BundleVerification }
  | { kind: "records"; report: EvidenceFileReport | RecordsReport } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? "error"}`, file);
  }
  let document: unknown;
  try {
    document = parseJsonText(text, file);
  } catch (err) {
    // A damaged bundle is what verify exists to catch: report it as a failed verification.
    if (text.includes('"nixfleet-evidence-bundle"'))
      return { kind: "bundle", report: verifyBundleFile(file, pubkey) };
    throw err;
  }
  if (isBundle(document)) return { kind: "bundle", report: verifyBundleFile(file, pubkey) };
  const publicKey = pubkey !== undefined ? loadPublicKey(pubkey) : undefined;
  const records = recordsIn(document, file).map(({ record, location }) =>
    verifyRecord(record, publicKey, location),
  );
  const verified = records.filter((r) => r.ok).length;
  return {
    kind: "records",
    report: {
      file,
      publicKey: pubkey ?? null,
      keyId: publicKey ? keyIdOf(publicKey) : null,
      ok: records.length > 0 && verified === records.length,
      total: records.length,
      verified,
      failed: records.length - verified,
      records,
    },
  };
}

interface RecordsReport extends Omit<EvidenceFileReport, "publicKey" | "keyId"> {
  publicKey: string | null;
  keyId: string | null;
}

export function registerEvidenceCommand(program: Command): void {
  const evidence = group(program, "evidence", "Signed evidence: keys, bundles, verification");

  evidence
    .command("keygen")
    .description("Create an Ed25519 key pair for signing evidence (private key mode 0600; never overwritten)")
    .requiredOption("--out <dir>", "directory for evidence-signing.key and evidence-signing.pub")
    .option("--json", "print the paths and key id as JSON")
    .action((opts: { out: string; json?: boolean }) => {
      const pair = writeSigningKeyPair(opts.out);
      if (opts.json) process.stdout.write(`${JSON.stringify(pair, null, 2)}\n`);
      else
        process.stdout.write(
          `private key ${pair.privateKeyPath} (keep it secret)\npublic key  ${pair.publicKeyPath}\nkey id      ${pair.keyId}\n`,
        );
    });

  evidence
    .command("export")
    .description(
      "Write the evidence records and audit events of a period as one signed bundle (JSON), or as OSCAL assessment results",
    )
    .option("--since <date>", "start of the period (ISO 8601; default 30 days before --until)")
    .option("--until <date>", "end of the period (ISO 8601; default now)")
    .requiredOption("--out <file>", "the bundle (or OSCAL) file to write")
    .option("--db <path>", "source: the control plane's SQLite database, read offline")
    .option("--server <url>", "source: the control plane (env NIXFLEET_URL)")
    .option("--token <token>", "with --server: an admin or auditor token (env NIXFLEET_TOKEN)")
    .option("--ca <file>", "with --server: CA certificate of the server (env NIXFLEET_CA)")
    .option("--key <file>", "Ed25519 private key that signs the bundle (nixfleet evidence keygen)")
    .option("--format <format>", "bundle (default) or oscal")
    .option("--json", "print a JSON summary")
    .action(async (opts: ExportOptions & { json?: boolean }) => {
      const format = opts.format ?? "bundle";
      if (format !== "bundle" && format !== "oscal")
        throw new UsageError(`--format must be bundle or oscal, not ${format}`);
      if (format === "bundle" && opts.key === undefined)
        throw new UsageError(
          "a bundle is signed: give --key FILE (create one with nixfleet evidence keygen)",
        );
      const privateKey = opts.key !== undefined ? loadPrivateKey(opts.key) : undefined;
      const now = Date.now();
      const data = await periodEvidence(opts, now);
      const createdAt = new Date(now).toISOString();
      let text: string;
      let summary: Record<string, unknown>;
      if (format === "oscal") {
        text = await oscalOf(data, createdAt, `control plane database ${opts.db ?? ""}`.trim());
        summary = { out: opts.out, format, records: data.records.length, period: data.period };
      } else {
        const bundle = buildBundle({
          period: data.period,
          createdAt,
          generatorVersion: generatorVersion(),
          records: data.records,
          auditEvents: data.audit.events,
          privateKey: privateKey!,
        });
        text = serializeBundle(bundle);
        summary = {
          out: opts.out,
          format,
          period: data.period,
          records: bundle.records.length,
          auditEvents: bundle.auditEvents.length,
          keyId: bundle.signature.keyId,
        };
      }
      writeFileSync(opts.out!, text);
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else
        process.stdout.write(
          `wrote ${opts.out} (${format}${format === "bundle" ? `: ${summary.records} record(s), ${summary.auditEvents} audit event(s), signed by ${summary.keyId}` : ""})\n`,
        );
    });

  evidence
    .command("verify")
    .description(
      "Verify a bundle (every hash, the signature, the audit chain) or a file of evidence records, offline; exit 1 names the first mismatch",
    )
    .argument("<file>", "an evidence bundle, or evidence record(s)")
    .option("--pubkey <file>", "the Ed25519 public key the evidence must be signed with")
    .option("--json", "print the verification as JSON")
    .action((file: string, opts: { pubkey?: string; json?: boolean }) => {
      const outcome = verifyEvidence(file, opts.pubkey);
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
      if (outcome.kind === "bundle") {
        const r = outcome.report;
        if (!opts.json) {
          for (const c of r.checks)
            process.stdout.write(`${c.ok ? "ok  " : "FAIL"} ${c.where}: ${c.message}\n`);
          if (r.ok && r.keySource === "embedded")
            process.stdout.write(
              "note: verified with the key embedded in the bundle (integrity); pass --pubkey to check who signed it\n",
            );
        }
        if (!r.ok)
          throw new CheckFailed(
            `${file}: ${r.firstFailure?.where}: ${r.firstFailure?.message}`,
            opts.json === true,
          );
        return;
      }
      const r = outcome.report;
      if (!opts.json) {
        for (const rec of r.records)
          process.stdout.write(
            `${rec.ok ? "ok  " : "FAIL"} ${rec.location} ${rec.id ?? "?"}: ${rec.message}\n`,
          );
        process.stdout.write(`${r.verified}/${r.total} record(s) verified\n`);
      }
      if (!r.ok) {
        const first = r.records.find((x) => !x.ok);
        throw new CheckFailed(
          `${file}: ${first ? `${first.location} (${first.id ?? "?"}): ${first.message}` : "no records"}`,
          opts.json === true,
        );
      }
    });
}
