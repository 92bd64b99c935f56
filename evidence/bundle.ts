/**
 * Evidence bundles: the evidence records and audit events of a period in ONE JSON file, with a manifest of
 * their SHA-256 digests signed with Ed25519 (docs/adr/0602-evidence-bundle-format.md).
 *
 *   { format: "nixfleet-evidence-bundle", version: 1,
 *     manifest: { period, createdAt, generator, publicKey, records: [{id, kind, sha256}],
 *                 audit: { anchorHash, headHash, events: [{seq, id, hash}] } },
 *     signature: { alg: "Ed25519", keyId, value },   // over the hex SHA-256 of the manifest's RFC 8785 JSON
 *     records: [EvidenceRecord…], auditEvents: [AuditEvent…] }
 *
 * Verification is offline and names the first thing that does not match: the manifest signature (with the
 * given public key, else the embedded one, which proves integrity but not origin), then every record (its own
 * digest, its signature when made by the bundle key, its manifest entry), then the audit events (each hash over
 * its content, each link to the previous hash, contiguous sequence numbers, the anchor and head of the slice).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EvidenceRecord } from "../schemas/generated/evidence-record.js";
import { canonicalHash, canonicalize, sha256Hex } from "./canonical.js";
import { InputError, parseJsonText } from "./json-file.js";
import { recordDigest, sealRecord, verifyRecord } from "./records.js";
import { type EvidenceSignature, keyIdOf, loadPublicKey, signDigest, verifyDigest } from "./sign.js";

export const BUNDLE_FORMAT = "nixfleet-evidence-bundle";

/** An audit event as the control plane's hash chain covers it (api/services/audit-chain.ts), plus its hash. */
export interface BundleAuditEvent {
  seq: number;
  id: string;
  at: number;
  actorKind: string;
  actorId: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface BundleManifest {
  period: { since: string; until: string };
  createdAt: string;
  generator: { name: "nixfleet"; version: string };
  /** SPKI PEM of the signing key, so a bundle verifies for integrity without any other file. */
  publicKey: string;
  records: { id: string; kind: string; sha256: string }[];
  audit: {
    anchorHash: string | null;
    headHash: string | null;
    events: { seq: number; id: string; hash: string }[];
  };
}

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  manifest: BundleManifest;
  signature: EvidenceSignature;
  records: EvidenceRecord[];
  auditEvents: BundleAuditEvent[];
}

/** The hash of one audit event: SHA-256 over the RFC 8785 JSON of every column but `hash` (as the plane computes it). */
export function auditEventHash(event: BundleAuditEvent): string {
  const { hash: _hash, ...content } = event;
  return sha256Hex(canonicalize(content));
}

export interface BuildBundleInput {
  period: { since: string; until: string };
  createdAt: string;
  generatorVersion: string;
  records: readonly EvidenceRecord[];
  auditEvents: readonly BundleAuditEvent[];
  privateKey: KeyObject;
}

/**
 * Builds and signs a bundle. Unsigned records are signed with the bundle key; records already signed (by the
 * control plane's key, say) keep their signature: the signed manifest covers their digests either way.
 */
export function buildBundle(input: BuildBundleInput): EvidenceBundle {
  const records = [...input.records]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => (r.signature ? r : sealRecord(r, input.privateKey)));
  const auditEvents = [...input.auditEvents].sort((a, b) => a.seq - b.seq);
  const manifest: BundleManifest = {
    period: input.period,
    createdAt: input.createdAt,
    generator: { name: "nixfleet", version: input.generatorVersion },
    publicKey: createPublicKey(input.privateKey).export({ type: "spki", format: "pem" }).toString(),
    records: records.map((r) => ({ id: r.id, kind: r.kind, sha256: r.sha256 })),
    audit: {
      anchorHash: auditEvents[0]?.prevHash ?? null,
      headHash: auditEvents[auditEvents.length - 1]?.hash ?? null,
      events: auditEvents.map((e) => ({ seq: e.seq, id: e.id, hash: e.hash })),
    },
  };
  return {
    format: BUNDLE_FORMAT,
    version: 1,
    manifest,
    signature: signDigest(canonicalHash(manifest), input.privateKey),
    records,
    auditEvents,
  };
}

/** The bundle as written to disk: two-space JSON with a final newline. */
export function serializeBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

export interface BundleCheck {
  /** where in the file, e.g. "records[3] (evd_…)", "auditEvents[0] (#12)", "signature" */
  where: string;
  ok: boolean;
  message: string;
}

export interface BundleVerification {
  file: string;
  ok: boolean;
  keyId: string | null;
  /** "given" when --pubkey was used, "embedded" when only the bundle's own key was available */
  keySource: "given" | "embedded" | null;
  records: number;
  auditEvents: number;
  /** the first check that failed, if any */
  firstFailure?: BundleCheck;
  checks: BundleCheck[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const HEX64 = /^[0-9a-f]{64}$/;

/** Verifies a parsed bundle; stops at the first failure, which it names. */
export function verifyBundle(document: unknown, file: string, givenKey?: KeyObject): BundleVerification {
  const checks: BundleCheck[] = [];
  const out: BundleVerification = {
    file,
    ok: false,
    keyId: null,
    keySource: null,
    records: 0,
    auditEvents: 0,
    checks,
  };
  const fail = (where: string, message: string): BundleVerification => {
    const check = { where, ok: false, message };
    checks.push(check);
    out.firstFailure = check;
    return out;
  };
  const pass = (where: string, message: string) => checks.push({ where, ok: true, message });

  if (!isObject(document) || document.format !== BUNDLE_FORMAT || document.version !== 1)
    return fail("$", `not a ${BUNDLE_FORMAT} version 1 document`);
  const { manifest, signature, records, auditEvents } = document;
  if (!isObject(manifest) || !Array.isArray(manifest.records) || !isObject(manifest.audit))
    return fail("manifest", "the manifest is missing or malformed");
  if (!isObject(signature) || typeof signature.value !== "string" || typeof signature.keyId !== "string")
    return fail("signature", "the manifest signature is missing or malformed");
  if (!Array.isArray(records) || !Array.isArray(auditEvents))
    return fail("$", "records and auditEvents must be arrays");

  // 1. The manifest signature.
  let key = givenKey;
  out.keySource = key ? "given" : "embedded";
  if (!key) {
    if (typeof manifest.publicKey !== "string")
      return fail("manifest.publicKey", "no public key in the bundle");
    try {
      key = createPublicKey(manifest.publicKey);
    } catch {
      return fail("manifest.publicKey", "the embedded public key is not a PEM public key");
    }
    if (key.asymmetricKeyType !== "ed25519")
      return fail("manifest.publicKey", "the embedded key is not Ed25519");
  }
  const keyId = keyIdOf(key);
  out.keyId = keyId;
  if (signature.keyId !== keyId)
    return fail("signature", `the manifest is signed by key ${String(signature.keyId)}, not by ${keyId}`);
  const manifestDigest = canonicalHash(manifest);
  if (!verifyDigest(manifestDigest, signature as unknown as EvidenceSignature, key))
    return fail(
      "signature",
      `the Ed25519 signature of the manifest does not verify with key ${keyId}: the manifest was changed`,
    );
  pass("signature", `manifest signed by ${keyId} (${out.keySource} key)`);

  // 2. Every record: its own digest and signature, then its manifest entry.
  if (records.length !== manifest.records.length)
    return fail(
      "records",
      `${records.length} record(s) in the file, ${manifest.records.length} in the signed manifest`,
    );
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const entry = manifest.records[i] as unknown;
    const id = isObject(record) && typeof record.id === "string" ? record.id : "?";
    const where = `records[${i}] (${id})`;
    // A record signed by another key (e.g. the control plane's) is covered by the signed manifest digest.
    const ownSignature = isObject(record) && isObject(record.signature) && record.signature.keyId === keyId;
    const verdict = verifyRecord(record, ownSignature ? key : undefined, `$.records[${i}]`);
    if (!verdict.ok) return fail(where, verdict.message);
    const sealed = record as EvidenceRecord;
    if (
      !isObject(entry) ||
      entry.id !== sealed.id ||
      entry.sha256 !== sealed.sha256 ||
      entry.kind !== sealed.kind
    )
      return fail(
        where,
        `does not match manifest entry ${i} (manifest: ${isObject(entry) ? `${String(entry.id)} sha256 ${String(entry.sha256).slice(0, 12)}…` : "missing"}; record sha256 ${sealed.sha256.slice(0, 12)}…)`,
      );
    if (recordDigest(sealed) !== entry.sha256)
      return fail(where, "content does not match the manifest's sha256");
  }
  out.records = records.length;
  pass("records", `${records.length} record(s): every sha256 and signature matches the manifest`);

  // 3. The audit events: a contiguous slice of the hash chain, anchored and headed as the manifest says.
  const audit = manifest.audit as BundleManifest["audit"];
  if (!Array.isArray(audit.events) || audit.events.length !== auditEvents.length)
    return fail(
      "auditEvents",
      `${auditEvents.length} event(s) in the file, ${audit.events?.length ?? 0} in the signed manifest`,
    );
  let prev = audit.anchorHash;
  let expectedSeq: number | undefined;
  for (let i = 0; i < auditEvents.length; i++) {
    const event = auditEvents[i] as unknown;
    if (!isObject(event) || typeof event.hash !== "string" || typeof event.seq !== "number")
      return fail(`auditEvents[${i}]`, "not an audit event");
    const e = event as unknown as BundleAuditEvent;
    const where = `auditEvents[${i}] (#${e.seq} ${e.action})`;
    if (expectedSeq !== undefined && e.seq !== expectedSeq)
      return fail(where, `expected event #${expectedSeq}: events were removed or reordered`);
    if (e.prevHash !== prev)
      return fail(
        where,
        "its previous-hash does not match the event before it (or the bundle's anchor): the chain is broken",
      );
    if (!HEX64.test(e.hash) || auditEventHash(e) !== e.hash)
      return fail(where, "its content does not match its hash: the event was edited");
    const entry = audit.events[i];
    if (!entry || entry.seq !== e.seq || entry.id !== e.id || entry.hash !== e.hash)
      return fail(where, `does not match manifest audit entry ${i}`);
    prev = e.hash;
    expectedSeq = e.seq + 1;
  }
  if (auditEvents.length > 0 && prev !== audit.headHash)
    return fail("auditEvents", "the last event's hash is not the manifest's head hash: events were cut off");
  out.auditEvents = auditEvents.length;
  pass(
    "auditEvents",
    auditEvents.length > 0
      ? `${auditEvents.length} audit event(s): hashes and links verify from anchor ${String(audit.anchorHash).slice(0, 12)}… to head ${String(audit.headHash).slice(0, 12)}…`
      : "no audit events in the period",
  );
  out.ok = true;
  return out;
}

/**
 * Verifies a bundle file. A file that is not JSON fails verification (it is the evidence that was damaged),
 * with the line and column; an unreadable file is an InputError (exit 2).
 */
export function verifyBundleFile(path: string, pubkeyPath?: string): BundleVerification {
  const key = pubkeyPath !== undefined ? loadPublicKey(pubkeyPath) : undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      `${path}: cannot read the bundle: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
      path,
    );
  }
  let document: unknown;
  try {
    document = parseJsonText(text, path);
  } catch (err) {
    const check = { where: "$", ok: false, message: err instanceof Error ? err.message : String(err) };
    return {
      file: path,
      ok: false,
      keyId: null,
      keySource: null,
      records: 0,
      auditEvents: 0,
      firstFailure: check,
      checks: [check],
    };
  }
  return verifyBundle(document, path, key);
}

/** true when a parsed document looks like a bundle (as opposed to one evidence record or a list of them). */
export function isBundle(document: unknown): boolean {
  return isObject(document) && document.format === BUNDLE_FORMAT;
}
