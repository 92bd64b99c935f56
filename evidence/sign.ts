/**
 * Ed25519 signing of evidence digests with node:crypto. A key pair lives in two PEM files (PKCS#8 private key,
 * mode 0600; SPKI public key). The key id is the first 16 hex characters of SHA-256 over the raw 32-byte public
 * key, so a verifier can tell "signed by another key" apart from "signature does not match".
 * What is signed: the UTF-8 bytes of the record's sha256 digest in lower-case hex (see docs/adr/0200-*.md).
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "./canonical.js";
import { InputError } from "./json-file.js";

export const PRIVATE_KEY_FILE = "evidence-signing.key";
export const PUBLIC_KEY_FILE = "evidence-signing.pub";

export interface EvidenceSignature {
  alg: "Ed25519";
  keyId: string;
  value: string;
}

export interface GeneratedKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  keyId: string;
}

/** The raw 32-byte Ed25519 public key (the last 32 bytes of its SPKI DER encoding). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== "ed25519") throw new TypeError("not an Ed25519 key");
  const der = pub.export({ type: "spki", format: "der" });
  return der.subarray(der.length - 32);
}

/** SHA-256 (hex) of the raw public key, first 16 characters. */
export function keyIdOf(key: KeyObject): string {
  return sha256Hex(rawPublicKey(key)).slice(0, 16);
}

/** A fresh Ed25519 key pair in memory. */
export function generateSigningKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ed25519");
}

/**
 * Writes a new key pair into `dir` (created if needed): the private key readable by the owner only.
 * Refuses to overwrite an existing private key, because losing it orphans every signature made with it.
 */
export function writeSigningKeyPair(dir: string): GeneratedKeyPair {
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateSigningKeys();
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
  try {
    writeFileSync(privateKeyPath, privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
      flag: "wx",
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new InputError(
        `${privateKeyPath}: a signing key already exists; refusing to overwrite it`,
        privateKeyPath,
      );
    throw err;
  }
  chmodSync(privateKeyPath, 0o600); // the umask may have widened nothing, but make the mode explicit
  writeFileSync(publicKeyPath, publicKey.export({ type: "spki", format: "pem" }), { mode: 0o644 });
  return { privateKeyPath, publicKeyPath, keyId: keyIdOf(publicKey) };
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read ${what}: ${code === "ENOENT" ? "no such file" : code}`, path);
  }
}

/** Loads an Ed25519 private key from a PEM file; bad files are InputErrors naming the file. */
export function loadPrivateKey(path: string): KeyObject {
  const pem = readKeyFile(path, "private key");
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new InputError(`${path}: not a PEM private key`, path);
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new InputError(`${path}: key type is ${key.asymmetricKeyType}, expected ed25519`, path);
  return key;
}

/** Loads an Ed25519 public key from a PEM file (a private key file is accepted and its public half used). */
export function loadPublicKey(path: string): KeyObject {
  const pem = readKeyFile(path, "public key");
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new InputError(`${path}: not a PEM public key`, path);
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new InputError(`${path}: key type is ${key.asymmetricKeyType}, expected ed25519`, path);
  return key;
}

/** Signs a sha256 hex digest. */
export function signDigest(digestHex: string, privateKey: KeyObject): EvidenceSignature {
  const value = cryptoSign(null, Buffer.from(digestHex, "utf8"), privateKey).toString("base64");
  return { alg: "Ed25519", keyId: keyIdOf(privateKey), value };
}

/** true when `signature` is a valid Ed25519 signature of the digest by `publicKey` (key id not compared). */
export function verifyDigest(digestHex: string, signature: EvidenceSignature, publicKey: KeyObject): boolean {
  if (signature.alg !== "Ed25519") return false;
  const bytes = Buffer.from(signature.value, "base64");
  if (bytes.length !== 64) return false;
  try {
    return cryptoVerify(null, Buffer.from(digestHex, "utf8"), publicKey, bytes);
  } catch {
    return false;
  }
}
