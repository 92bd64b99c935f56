/**
 * Evidence records: a ControlResult (or any payload) wrapped with an id, subject and collection time, sealed by
 * sha256 over the RFC 8785 canonical JSON of the record without `sha256` and `signature`, optionally signed
 * with Ed25519 over that digest. Verification says which check failed, so an auditor can tell tampering
 * (hash mismatch), forgery (bad signature) and a key mix-up (wrong key) apart.
 */
import type { KeyObject } from "node:crypto";
import type { ControlResult } from "../schemas/generated/control-result.js";
import type { EvidenceRecord } from "../schemas/generated/evidence-record.js";
import { newId } from "../schemas/ids.js";
import { check } from "../schemas/registry.js";
import { canonicalHash } from "./canonical.js";
import { InputError, pointerToPath, readJsonFile } from "./json-file.js";
import { keyIdOf, loadPublicKey, signDigest, verifyDigest } from "./sign.js";

export type { EvidenceRecord };

/** A record before sealing: everything but the digest and the signature. */
export type UnsealedRecord = Omit<EvidenceRecord, "sha256" | "signature">;

/** Wraps one control result as an unsealed evidence record; `collectedAt` fills in when the result has none. */
export function recordFromResult(
  result: ControlResult,
  options: { id?: string; collectedAt: string; source?: EvidenceRecord["source"] },
): UnsealedRecord {
  // The record id is the link; keeping evidenceId out of the payload avoids a self-reference in the hash.
  const { evidenceId: _link, ...payload } = result;
  return {
    id: options.id ?? newId("evd"),
    kind: "control-result",
    source: options.source ?? result.source,
    subject: { host: result.host, controlId: result.controlId },
    collectedAt: result.collectedAt ?? options.collectedAt,
    payload,
  };
}

/** The digest a record is sealed with: SHA-256 of the canonical JSON without sha256 and signature. */
export function recordDigest(record: UnsealedRecord | EvidenceRecord): string {
  const { sha256: _s, signature: _sig, ...content } = record as EvidenceRecord;
  return canonicalHash(content);
}

/** Computes sha256 and, given a private key, the Ed25519 signature. */
export function sealRecord(record: UnsealedRecord, privateKey?: KeyObject): EvidenceRecord {
  const { sha256: _s, signature: _sig, ...content } = record as EvidenceRecord;
  const sha256 = canonicalHash(content);
  const sealed: EvidenceRecord = { ...content, sha256 };
  if (privateKey) sealed.signature = signDigest(sha256, privateKey);
  return sealed;
}

export type VerifyFailure = "schema" | "hash-mismatch" | "unsigned" | "wrong-key" | "bad-signature";

export interface RecordVerification {
  id: string | undefined;
  /** Where the record sits in the file, e.g. "$.evidence[3]". */
  location: string;
  ok: boolean;
  failure?: VerifyFailure;
  message: string;
  keyId?: string;
}

/**
 * Checks a record: shape, then digest, then (given a public key) signature. Without a public key a signature
 * is not required; with one, an unsigned record fails, because the caller asked for proof of origin.
 */
export function verifyRecord(record: unknown, publicKey?: KeyObject, location = "$"): RecordVerification {
  const id =
    typeof record === "object" && record !== null && typeof (record as { id?: unknown }).id === "string"
      ? (record as { id: string }).id
      : undefined;
  const issues = check("evidence-record", record);
  if (issues.length > 0) {
    const first = issues[0]!;
    return {
      id,
      location,
      ok: false,
      failure: "schema",
      message: `not an evidence record: ${location}${pointerToPath(first.path).slice(1)} ${first.message}`,
    };
  }
  const evidence = record as EvidenceRecord;
  const digest = recordDigest(evidence);
  if (digest !== evidence.sha256)
    return {
      id,
      location,
      ok: false,
      failure: "hash-mismatch",
      message: `content does not match its sha256 (recorded ${evidence.sha256.slice(0, 12)}…, computed ${digest.slice(0, 12)}…): the record was changed after sealing`,
    };
  if (!publicKey) return { id, location, ok: true, message: "sha256 matches (signature not checked)" };
  const signature = evidence.signature;
  if (!signature)
    return { id, location, ok: false, failure: "unsigned", message: "the record is not signed" };
  const expectedKeyId = keyIdOf(publicKey);
  if (signature.keyId !== expectedKeyId)
    return {
      id,
      location,
      ok: false,
      failure: "wrong-key",
      keyId: signature.keyId,
      message: `signed by key ${signature.keyId}, not by the given key ${expectedKeyId}`,
    };
  if (!verifyDigest(evidence.sha256, signature, publicKey))
    return {
      id,
      location,
      ok: false,
      failure: "bad-signature",
      keyId: signature.keyId,
      message: `the Ed25519 signature does not verify with key ${expectedKeyId}`,
    };
  return {
    id,
    location,
    ok: true,
    keyId: signature.keyId,
    message: `sha256 matches, signed by ${expectedKeyId}`,
  };
}

export interface EvidenceFileReport {
  file: string;
  publicKey: string;
  keyId: string;
  ok: boolean;
  total: number;
  verified: number;
  failed: number;
  records: RecordVerification[];
}

/** The records in a parsed file: one record, an array of records, or an object with `evidence` or `records`. */
export function recordsIn(document: unknown, file: string): { record: unknown; location: string }[] {
  if (Array.isArray(document)) return document.map((record, i) => ({ record, location: `$[${i}]` }));
  if (typeof document === "object" && document !== null) {
    const obj = document as Record<string, unknown>;
    for (const field of ["evidence", "records"]) {
      const list = obj[field];
      if (Array.isArray(list)) return list.map((record, i) => ({ record, location: `$.${field}[${i}]` }));
    }
    if ("sha256" in obj || "payload" in obj) return [{ record: document, location: "$" }];
  }
  throw new InputError(
    `${file}: no evidence found: expected a record, an array of records, or an object with "evidence" or "records"`,
    file,
    "$",
  );
}

/** `nixfleet evidence verify FILE --pubkey KEY`: every record's digest and signature, offline. */
export function verifyEvidenceFile(path: string, pubkeyPath: string): EvidenceFileReport {
  const publicKey = loadPublicKey(pubkeyPath);
  const document = readJsonFile(path, "evidence file");
  const records = recordsIn(document, path).map(({ record, location }) =>
    verifyRecord(record, publicKey, location),
  );
  const verified = records.filter((r) => r.ok).length;
  return {
    file: path,
    publicKey: pubkeyPath,
    keyId: keyIdOf(publicKey),
    ok: records.length > 0 && verified === records.length,
    total: records.length,
    verified,
    failed: records.length - verified,
    records,
  };
}
