import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ControlResult } from "../schemas/generated/control-result.js";
import { idPrefix } from "../schemas/ids.js";
import { sha256Hex } from "./canonical.js";
import { InputError } from "./json-file.js";
import { recordDigest, recordFromResult, sealRecord, verifyEvidenceFile, verifyRecord } from "./records.js";
import {
  generateSigningKeys,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  rawPublicKey,
  signDigest,
  verifyDigest,
  writeSigningKeyPair,
} from "./sign.js";

const result: ControlResult = {
  controlId: "ssh-no-root-login",
  title: "SSH refuses logins as root",
  host: "web-1",
  status: "fail",
  source: "eval",
  severity: "high",
  observed: "yes",
  expected: "no",
  message: "PermitRootLogin is yes",
  mappings: [{ framework: "nis2", requirement: "21.2.i" }],
};

describe("signing keys", () => {
  it("writes a PEM key pair with a 0600 private key and a stable key id", () => {
    const dir = mkdtempSync(join(tmpdir(), "nf-keys-"));
    const pair = writeSigningKeyPair(join(dir, "keys"));
    expect(statSync(pair.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(pair.privateKeyPath, "utf8")).toContain("BEGIN PRIVATE KEY");
    expect(readFileSync(pair.publicKeyPath, "utf8")).toContain("BEGIN PUBLIC KEY");
    const pub = loadPublicKey(pair.publicKeyPath);
    expect(pair.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(pub)).toBe(pair.keyId);
    expect(pair.keyId).toBe(sha256Hex(rawPublicKey(pub)).slice(0, 16));
    // the private key file yields the same id
    expect(keyIdOf(loadPrivateKey(pair.privateKeyPath))).toBe(pair.keyId);
    expect(() => writeSigningKeyPair(join(dir, "keys"))).toThrow(/refusing to overwrite/);
  });

  it("rejects files that are not Ed25519 PEM keys, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nf-keys-"));
    const bogus = join(dir, "bogus.pem");
    writeFileSync(bogus, "not a key");
    expect(() => loadPublicKey(bogus)).toThrow(`${bogus}: not a PEM public key`);
    expect(() => loadPrivateKey(join(dir, "absent.key"))).toThrow(
      /absent.key: cannot read private key: no such file/,
    );
  });

  it("verifies a digest signature and rejects a different digest or key", () => {
    const { privateKey, publicKey } = generateSigningKeys();
    const other = generateSigningKeys();
    const digest = sha256Hex("evidence");
    const sig = signDigest(digest, privateKey);
    expect(sig.alg).toBe("Ed25519");
    expect(verifyDigest(digest, sig, publicKey)).toBe(true);
    expect(verifyDigest(sha256Hex("other"), sig, publicKey)).toBe(false);
    expect(verifyDigest(digest, sig, other.publicKey)).toBe(false);
  });
});

describe("evidence records", () => {
  const keys = generateSigningKeys();
  const collectedAt = "2026-11-25T10:00:00Z";

  it("wraps a result with an evd_ id, subject and the canonical digest", () => {
    const unsealed = recordFromResult(result, { collectedAt });
    expect(idPrefix(unsealed.id)).toBe("evd");
    expect(unsealed.subject).toEqual({ host: "web-1", controlId: "ssh-no-root-login" });
    expect(unsealed.collectedAt).toBe(collectedAt);
    const sealed = sealRecord(unsealed);
    expect(sealed.sha256).toBe(recordDigest(unsealed));
    expect(sealed.signature).toBeUndefined();
    expect(verifyRecord(sealed)).toMatchObject({ ok: true });
    // key order does not matter: the digest is over canonical JSON
    const { payload, ...rest } = sealed;
    const reordered = JSON.parse(JSON.stringify({ payload, ...rest }));
    expect(recordDigest(reordered)).toBe(sealed.sha256);
  });

  it("keeps the result's own collection time and leaves evidenceId out of the payload", () => {
    const unsealed = recordFromResult(
      { ...result, collectedAt: "2026-11-01T00:00:00Z", evidenceId: "evd_X" },
      { id: "evd_01", collectedAt },
    );
    expect(unsealed.collectedAt).toBe("2026-11-01T00:00:00Z");
    expect(unsealed.payload).not.toHaveProperty("evidenceId");
  });

  it("detects tampering, forged signatures, the wrong key and missing signatures", () => {
    const sealed = sealRecord(recordFromResult(result, { collectedAt }), keys.privateKey);
    expect(verifyRecord(sealed, keys.publicKey)).toMatchObject({ ok: true, keyId: keyIdOf(keys.publicKey) });

    const tampered = structuredClone(sealed);
    (tampered.payload as ControlResult).status = "pass";
    expect(verifyRecord(tampered, keys.publicKey)).toMatchObject({ ok: false, failure: "hash-mismatch" });

    // a tamperer who recomputes the hash still cannot produce the signature
    const rehashed = { ...tampered, sha256: recordDigest(tampered) };
    expect(verifyRecord(rehashed, keys.publicKey)).toMatchObject({ ok: false, failure: "bad-signature" });

    const other = generateSigningKeys();
    expect(verifyRecord(sealed, other.publicKey)).toMatchObject({ ok: false, failure: "wrong-key" });
    const { signature: _s, ...unsigned } = sealed;
    expect(verifyRecord(unsigned, keys.publicKey)).toMatchObject({ ok: false, failure: "unsigned" });
    expect(verifyRecord({ id: "evd_1", sha256: "x" })).toMatchObject({ ok: false, failure: "schema" });
  });

  it("verifies every record in a file offline and reports each failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "nf-evd-"));
    const pair = writeSigningKeyPair(dir);
    const priv = loadPrivateKey(pair.privateKeyPath);
    const records = [0, 1, 2].map((i) =>
      sealRecord(recordFromResult({ ...result, host: `web-${i}` }, { collectedAt }), priv),
    );
    (records[1]!.payload as ControlResult).observed = "no";
    const file = join(dir, "report.json");
    writeFileSync(file, JSON.stringify({ evidence: records }, null, 2));
    const report = verifyEvidenceFile(file, pair.publicKeyPath);
    expect(report).toMatchObject({ ok: false, total: 3, verified: 2, failed: 1, keyId: pair.keyId });
    expect(report.records[1]).toMatchObject({ location: "$.evidence[1]", failure: "hash-mismatch" });

    writeFileSync(file, JSON.stringify(records[0]));
    expect(verifyEvidenceFile(file, pair.publicKeyPath)).toMatchObject({ ok: true, total: 1 });
    writeFileSync(file, '{\n  "evidence": [\n    {,\n  ]\n}');
    expect(() => verifyEvidenceFile(file, pair.publicKeyPath)).toThrow(`${file}:3:6: invalid JSON`);
    writeFileSync(file, '{"hello": 1}');
    expect(() => verifyEvidenceFile(file, pair.publicKeyPath)).toThrow(InputError);
  });
});
