/**
 * Credential resolution with caches, so the hot path (an agent polling its desired generation over a
 * keep-alive connection) does no database work per request:
 * - bearer tokens: SHA-256 of the presented secret → cached actor (constant-time compare of the stored hash);
 * - mTLS: the verified peer certificate → machine id, cached per TLS socket and per certificate fingerprint;
 * - revocations (tokens, certificates) seen within `credentialCacheTtlMs`, at once when made by this process.
 */
import { createHash, randomBytes, timingSafeEqual, X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type BetterSqlite3 from "better-sqlite3";
import type { Db } from "../db/client.js";
import type { Actor, Clock, Keys, TokenRole } from "../env.js";
import { Unauthorized } from "../errors.js";

export const TOKEN_PREFIX = "nft_";

/** A new token secret: 32 random bytes, base64url, with a recognisable prefix (secret scanners, logs). */
export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The machine id a certificate is bound to: SAN URI urn:nixfleet:machine:<id>, else the subject CN. */
export function machineIdFromCertificate(
  subjectAltName: string | undefined,
  commonName: string | undefined,
): string | undefined {
  for (const entry of (subjectAltName ?? "").split(/,\s*/)) {
    const m = /^URI:urn:nixfleet:machine:([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/.exec(entry.trim());
    if (m) return m[1];
  }
  if (commonName && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(commonName)) return commonName;
  return undefined;
}

interface TokenRow {
  id: string;
  role: TokenRole;
  machineId: string | null;
  secretHash: string;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface CachedActor {
  actor: Actor;
  /** token expiry (ms), or Infinity */
  expiresAt: number;
  checkedAt: number;
}

interface SocketIdentity {
  actor: Actor | null;
  serial: string;
  checkedAt: number;
}

export class CredentialStore {
  private readonly tokens = new Map<string, CachedActor>();
  private readonly sockets = new WeakMap<object, SocketIdentity>();
  private readonly certificates = new Map<string, { machineId: string | null; serial: string }>();
  private revokedSerials = new Set<string>();
  private revocationsLoadedAt = Number.NEGATIVE_INFINITY;
  private readonly byHash: BetterSqlite3.Statement;
  private readonly revocations: BetterSqlite3.Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly keys: Keys,
  ) {
    this.byHash = db.sqlite.prepare(
      `SELECT id, role, machine_id AS machineId, secret_hash AS secretHash, expires_at AS expiresAt,
         revoked_at AS revokedAt FROM api_tokens WHERE secret_hash = ?`,
    );
    this.revocations = db.sqlite.prepare("SELECT serial FROM certificate_revocations");
  }

  /** The actor behind a bearer token, or Unauthorized. */
  fromBearer(secret: string): Actor {
    if (secret.length < 8 || secret.length > 256) throw new Unauthorized("the bearer token is malformed");
    const hash = hashTokenSecret(secret);
    const now = this.clock.now();
    const cached = this.tokens.get(hash);
    if (cached && now - cached.checkedAt < this.ttlMs) {
      if (now >= cached.expiresAt) throw new Unauthorized("the bearer token has expired");
      return cached.actor;
    }
    const row = this.byHash.get(hash) as TokenRow | undefined;
    // The lookup is by hash already; the constant-time compare keeps the final equality check free of timing.
    if (!row || !timingSafeEqual(Buffer.from(row.secretHash, "hex"), Buffer.from(hash, "hex"))) {
      this.tokens.delete(hash);
      throw new Unauthorized("the bearer token is not known");
    }
    if (row.revokedAt !== null) {
      this.tokens.delete(hash);
      throw new Unauthorized("the bearer token was revoked");
    }
    if (row.expiresAt !== null && now >= row.expiresAt)
      throw new Unauthorized("the bearer token has expired");
    const actor: Actor =
      row.role === "agent"
        ? { kind: "agent", machineId: row.machineId ?? "", via: "token", credentialId: row.id }
        : { kind: "user", role: row.role, tokenId: row.id };
    if (this.tokens.size > 100_000) this.tokens.clear(); // bound memory against a flood of distinct valid tokens
    this.tokens.set(hash, { actor, expiresAt: row.expiresAt ?? Number.POSITIVE_INFINITY, checkedAt: now });
    return actor;
  }

  /** Forgets cached tokens so a revocation made by this process takes effect at once. */
  forgetTokens(): void {
    this.tokens.clear();
  }

  /** Forgets cached certificate verdicts (after a certificate revocation). */
  forgetCertificates(): void {
    this.revocationsLoadedAt = Number.NEGATIVE_INFINITY;
    this.certificates.clear();
  }

  private isRevoked(serial: string, now: number): boolean {
    if (now - this.revocationsLoadedAt >= this.ttlMs) {
      const rows = this.revocations.all() as { serial: string }[];
      this.revokedSerials = new Set(rows.map((r) => r.serial.toUpperCase()));
      this.revocationsLoadedAt = now;
    }
    return this.revokedSerials.has(serial.toUpperCase());
  }

  /**
   * The agent behind the TLS client certificate of `socket`, or null when none was presented (or it did not
   * verify). Throws Unauthorized for a revoked certificate.
   */
  fromSocket(socket: TLSSocket): Actor | null {
    const now = this.clock.now();
    let identity = this.sockets.get(socket);
    if (!identity || now - identity.checkedAt >= this.ttlMs) {
      identity = this.resolveSocket(socket, now);
      this.sockets.set(socket, identity);
    }
    if (identity.actor && this.isRevoked(identity.serial, now))
      throw new Unauthorized("the client certificate was revoked");
    return identity.actor;
  }

  private resolveSocket(socket: TLSSocket, now: number): SocketIdentity {
    if (!socket.authorized) return { actor: null, serial: "", checkedAt: now };
    const peer = socket.getPeerCertificate();
    if (!peer?.raw) return { actor: null, serial: "", checkedAt: now };
    let verdict = this.certificates.get(peer.fingerprint256);
    if (!verdict) {
      let machineId = machineIdFromCertificate(peer.subjectaltname, firstString(peer.subject?.CN)) ?? null;
      if (machineId && this.keys.clientCa) {
        // Defence in depth: the TLS layer's trust store must not let another CA's certificate stand for a machine.
        const cert = new X509Certificate(peer.raw);
        if (!cert.checkIssued(this.keys.clientCa) || !cert.verify(this.keys.clientCa.publicKey))
          machineId = null;
      }
      verdict = { machineId, serial: peer.serialNumber };
      if (this.certificates.size > 100_000) this.certificates.clear();
      this.certificates.set(peer.fingerprint256, verdict);
    }
    const actor: Actor | null = verdict.machineId
      ? { kind: "agent", machineId: verdict.machineId, via: "mtls", credentialId: `cert:${verdict.serial}` }
      : null;
    return { actor, serial: verdict.serial, checkedAt: now };
  }
}

function firstString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
