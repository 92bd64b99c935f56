import { canonicalize, sha256Hex } from "../../evidence/canonical.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import { releaseHosts, releases } from "../db/schema/index.js";
import { actorLabel } from "../env.js";
import { ValidationFailed } from "../errors.js";
import { findRelease, getRelease, type ReleaseDetail } from "../releases/queries.js";
import { recordAudit } from "./audit-chain.js";
import { type ServiceCall, transact } from "./context.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** rel_ + the first 130 bits of the manifest's SHA-256 in Crockford base32 (26 characters, like every id). */
export function releaseIdOf(sha256: string): string {
  let bits = "";
  for (const ch of sha256.slice(0, 33)) bits += Number.parseInt(ch, 16).toString(2).padStart(4, "0");
  let out = "";
  for (let i = 0; i < 26; i++) out += CROCKFORD[Number.parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return `rel_${out}`;
}

/**
 * Records an immutable release. Its id derives from the canonical hash of the manifest, so creating the same
 * manifest twice returns the existing release (`created: false`) and changes nothing. Audit: release.create.
 */
export function createRelease({ ctx, input }: ServiceCall<ReleaseManifest>): {
  release: ReleaseDetail;
  created: boolean;
} {
  for (const [host, entry] of Object.entries(input.hosts)) {
    entry.evalEvidence.forEach((r, i) => {
      if (r.host !== host)
        throw new ValidationFailed(`evidence of host ${r.host} listed under ${host}`, [
          { path: `/hosts/${host}/evalEvidence/${i}/host`, message: `must be ${host}` },
        ]);
    });
  }
  const sha256 = sha256Hex(canonicalize(input));
  const id = releaseIdOf(sha256);
  return transact(ctx, () => {
    const existing = findRelease(ctx.db, id);
    if (existing) return { release: existing, created: false };
    ctx.db.orm
      .insert(releases)
      .values({
        id,
        sha256,
        manifest: JSON.stringify(input),
        createdAt: ctx.clock.now(),
        createdBy: actorLabel(ctx.actor),
      })
      .run();
    for (const [host, entry] of Object.entries(input.hosts)) {
      const failing = entry.evalEvidence.filter((r) => r.status === "fail").length;
      ctx.db.orm
        .insert(releaseHosts)
        .values({ releaseId: id, host, toplevel: entry.toplevel, failing })
        .run();
    }
    const release = getRelease(ctx.db, id);
    const { manifest: _manifest, ...summary } = release;
    recordAudit(ctx, { action: "release.create", target: { type: "release", id }, after: summary });
    return { release, created: true };
  });
}
