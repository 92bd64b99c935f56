/**
 * `nixfleet ca init|issue|revoke`: a small CA for agent mTLS (and the server's own certificate), built with
 * @peculiar/x509 over WebCrypto, ECDSA P-256. Layout of the CA directory:
 *   ca.crt, ca.key (0600), index.json (every issued certificate: serial, subject, machine id, fingerprint, file).
 * Agent certificates carry CN=<machine id> and SAN URI urn:nixfleet:machine:<id>, EKU clientAuth: the server
 * takes the machine id from them. Revocation goes into the control-plane database, which the server checks.
 */
import "reflect-metadata";
import { createHash, randomBytes, webcrypto } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import * as x509 from "@peculiar/x509";
import type { Command } from "commander";
import { openMigrated } from "../api/db/client.js";
import { systemClock } from "../api/env.js";
import { systemContext } from "../api/services/context.js";
import { revokeCertificate } from "../api/services/revokeCertificate.js";
import { UsageError } from "./errors.js";
import { output } from "./remote.js";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DAY = 86_400_000;

export interface IssuedEntry {
  serial: string;
  kind: "agent" | "server";
  subject: string;
  machineId?: string;
  hosts?: string[];
  fingerprint256: string;
  notAfter: string;
  cert: string;
  key: string;
  revokedAt?: string;
}

interface CaIndex {
  issued: IssuedEntry[];
}

export interface CaPaths {
  dir: string;
  cert: string;
  key: string;
  index: string;
}

export function caPaths(dir: string): CaPaths {
  const d = resolve(dir);
  return { dir: d, cert: join(d, "ca.crt"), key: join(d, "ca.key"), index: join(d, "index.json") };
}

/** A positive serial whose hex form has no leading zero (Node prints serials without padding differences). */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x6f) | 0x10;
  return bytes.toString("hex").toUpperCase();
}

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

function fingerprint(cert: x509.X509Certificate): string {
  return (createHash("sha256").update(Buffer.from(cert.rawData)).digest("hex").match(/../g) ?? [])
    .join(":")
    .toUpperCase();
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readIndex(p: CaPaths): CaIndex {
  if (!existsSync(p.index)) return { issued: [] };
  const text = readFileSync(p.index, "utf8");
  try {
    return JSON.parse(text) as CaIndex;
  } catch (err) {
    throw new UsageError(`${p.index} is not valid JSON (${(err as Error).message}): repair it from a backup`);
  }
}

/** Replaces the index in one rename, so a reader sees the old file or the new one, never half of either. */
function writeIndex(p: CaPaths, index: CaIndex): void {
  const next = `${p.index}.${process.pid}.next`;
  writeFileSync(next, `${JSON.stringify(index, null, 2)}\n`);
  renameSync(next, p.index);
}

const LOCK_WAIT_MS = 30_000;

/**
 * Runs `update` on the CA index under an exclusive lock file (created with O_EXCL, holding the owner's pid):
 * provisioning scripts issue certificates for many machines at once, and two read-modify-write cycles must not
 * lose each other's entries. A lock whose owner process is gone is taken over.
 */
function updateIndex<T>(p: CaPaths, update: (index: CaIndex) => T): T {
  const lock = `${p.index}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(lock, { encoding: "utf8", flag: "a+" }));
      if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new UsageError(
          `${lock} is held by process ${owner || "?"}: another nixfleet ca command is running`,
        );
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    const index = readIndex(p);
    const result = update(index);
    writeIndex(p, index);
    return result;
  } finally {
    rmSync(lock, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates a CA (refuses to overwrite one). */
export async function initCa(
  dir: string,
  name = "NixFleet agent CA",
  days = 3650,
): Promise<{ cert: string; fingerprint256: string }> {
  const p = caPaths(dir);
  if (existsSync(p.cert) || existsSync(p.key))
    throw new UsageError(`${p.dir} already holds a CA (ca.crt / ca.key)`);
  mkdirSync(p.dir, { recursive: true });
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=${name.replace(/[,=+<>#;\\"]/g, " ")}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeSecret(p.key, await exportKey(keys.privateKey));
  writeFileSync(p.cert, cert.toString("pem"));
  writeIndex(p, { issued: [] });
  return { cert: p.cert, fingerprint256: fingerprint(cert) };
}

async function loadCa(p: CaPaths): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  if (!existsSync(p.cert) || !existsSync(p.key))
    throw new UsageError(`${p.dir}: no CA here (run nixfleet ca init --dir ${p.dir})`);
  const cert = new x509.X509Certificate(readFileSync(p.cert, "utf8"));
  const der = x509.PemConverter.decodeFirst(readFileSync(p.key, "utf8"));
  const key = (await webcrypto.subtle.importKey("pkcs8", der, ALG, false, ["sign"])) as CryptoKey;
  return { cert, key };
}

export interface IssueRequest {
  /** agent certificate bound to this machine id */
  machineId?: string;
  /** server certificate for these host names / IP addresses */
  serverHosts?: string[];
  outDir?: string;
  days?: number;
}

/** Issues an agent (client) or server certificate signed by the CA; writes <name>.crt and <name>.key. */
export async function issueCertificate(dir: string, req: IssueRequest): Promise<IssuedEntry> {
  const p = caPaths(dir);
  const ca = await loadCa(p);
  const isAgent = req.machineId !== undefined;
  if (isAgent === Boolean(req.serverHosts?.length))
    throw new UsageError("give either --machine ID or --server with --host");
  if (isAgent && !MACHINE_ID.test(req.machineId ?? ""))
    throw new UsageError(`--machine ${JSON.stringify(req.machineId)}: not a machine id`);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const serial = newSerial();
  const now = Date.now();
  const hosts = req.serverHosts ?? [];
  const subject = isAgent ? `CN=${req.machineId}` : `CN=${hosts[0]}`;
  const san = isAgent
    ? [{ type: "url" as const, value: `urn:nixfleet:machine:${req.machineId}` }]
    : hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (req.days ?? (isAgent ? 397 : 825)) * DAY),
    signingKey: ca.key,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        isAgent ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(san),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  const outDir = resolve(req.outDir ?? join(p.dir, "issued"));
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, isAgent ? (req.machineId ?? "agent") : "server");
  writeFileSync(`${base}.crt`, cert.toString("pem"));
  writeSecret(`${base}.key`, await exportKey(keys.privateKey));
  const entry: IssuedEntry = {
    serial,
    kind: isAgent ? "agent" : "server",
    subject,
    ...(isAgent ? { machineId: req.machineId } : { hosts }),
    fingerprint256: fingerprint(cert),
    notAfter: cert.notAfter.toISOString(),
    cert: `${base}.crt`,
    key: `${base}.key`,
  };
  updateIndex(p, (index) => index.issued.push(entry));
  return entry;
}

/** Revokes certificates by serial or every unrevoked certificate of a machine, in the CA index and the database. */
export function revokeIssued(
  dir: string,
  dbPath: string,
  by: { serial?: string; machineId?: string },
  reason?: string,
): IssuedEntry[] {
  const p = caPaths(dir);
  return updateIndex(p, (index) => {
    const matches = index.issued.filter(
      (e) =>
        !e.revokedAt &&
        ((by.serial && e.serial === by.serial.toUpperCase()) ||
          (by.machineId && e.machineId === by.machineId)),
    );
    if (matches.length === 0)
      throw new UsageError(`no unrevoked certificate in ${p.index} matches ${JSON.stringify(by)}`);
    const db = openMigrated(dbPath);
    try {
      const ctx = systemContext(db, systemClock, "cli ca revoke");
      for (const e of matches) {
        revokeCertificate({
          ctx,
          input: { serial: e.serial, machineId: e.machineId, fingerprint: e.fingerprint256, reason },
        });
        e.revokedAt = new Date().toISOString();
      }
    } finally {
      db.sqlite.close();
    }
    return matches;
  });
}

export function registerCaCommand(program: Command): void {
  const ca = program
    .command("ca")
    .description("Certificate authority for agent mTLS (and the server certificate)");
  ca.command("init")
    .description("Create a CA: ca.crt, ca.key (0600), index.json in --dir")
    .option("--dir <dir>", "CA directory", "./.nixfleet/ca")
    .option("--name <cn>", "CA common name", "NixFleet agent CA")
    .option("--days <n>", "validity in days", "3650")
    .option("--json", "print JSON")
    .action(async (opts: { dir: string; name: string; days: string; json?: boolean }) => {
      if (!/^\d+$/.test(opts.days)) throw new UsageError("--days must be a whole number");
      const made = await initCa(opts.dir, opts.name, Number(opts.days));
      output(opts, made, () => `CA created: ${made.cert} (SHA-256 ${made.fingerprint256})`);
    });
  ca.command("issue")
    .description(
      "Issue an agent certificate bound to a machine id (--machine), or a server certificate (--server --host …)",
    )
    .option("--dir <dir>", "CA directory", "./.nixfleet/ca")
    .option("--machine <id>", "machine id the agent certificate is bound to")
    .option("--server", "issue a server certificate instead")
    .option(
      "--host <name>",
      "server host name or IP (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--out <dir>", "where to write <name>.crt and <name>.key (default <dir>/issued)")
    .option("--days <n>", "validity in days")
    .option("--json", "print JSON")
    .action(
      async (opts: {
        dir: string;
        machine?: string;
        server?: boolean;
        host: string[];
        out?: string;
        days?: string;
        json?: boolean;
      }) => {
        if (opts.days !== undefined && !/^\d+$/.test(opts.days))
          throw new UsageError("--days must be a whole number");
        if (opts.server && opts.host.length === 0) throw new UsageError("--server needs at least one --host");
        if (!opts.server && !opts.machine)
          throw new UsageError("give --machine ID (agent) or --server --host NAME");
        const entry = await issueCertificate(opts.dir, {
          ...(opts.server ? { serverHosts: opts.host } : { machineId: opts.machine }),
          ...(opts.out ? { outDir: opts.out } : {}),
          ...(opts.days ? { days: Number(opts.days) } : {}),
        });
        output(
          opts,
          entry,
          () =>
            `issued ${entry.kind} certificate ${entry.serial} (${entry.subject}): ${entry.cert}, key ${entry.key}`,
        );
      },
    );
  ca.command("revoke")
    .description(
      "Revoke certificates (by --serial, or all of --machine) in the CA index and the control-plane database",
    )
    .option("--dir <dir>", "CA directory", "./.nixfleet/ca")
    .requiredOption("--db <path>", "control-plane database (the server checks its revocation list)")
    .option("--serial <hex>", "certificate serial number")
    .option("--machine <id>", "every certificate of this machine")
    .option("--reason <text>", "why")
    .option("--json", "print JSON")
    .action(
      (opts: {
        dir: string;
        db: string;
        serial?: string;
        machine?: string;
        reason?: string;
        json?: boolean;
      }) => {
        if (!opts.serial === !opts.machine) throw new UsageError("give exactly one of --serial or --machine");
        const revoked = revokeIssued(
          opts.dir,
          opts.db,
          { serial: opts.serial, machineId: opts.machine },
          opts.reason,
        );
        output(opts, { revoked }, () => revoked.map((e) => `revoked ${e.serial} (${e.subject})`).join("\n"));
      },
    );
}
