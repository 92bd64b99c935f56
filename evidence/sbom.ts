/**
 * CycloneDX SBOM of a release closure, built with @cyclonedx/cyclonedx-library (docs/adr/0601).
 *
 * The closure comes from `nix path-info --json --recursive PATH` (hash, size, references, deriver), or, where
 * that command is unavailable, from `nix-store --query --requisites` plus per-path `--hash`, `--size` and
 * `--references`. Each store path is a component: name and version split the way Nix splits derivation names
 * (the version starts at the first "-" followed by a digit), the NAR SHA-256 as its hash, bom-ref = the store
 * path; the dependency graph follows the references. The root path is the BOM's metadata component.
 * Output is deterministic: sorted lists, serial number derived from the closure, time given by the caller.
 */
import { execFile } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { promisify } from "node:util";
import * as CDX from "@cyclonedx/cyclonedx-library";
import type { EvidenceRecord } from "../schemas/generated/evidence-record.js";
import { newId } from "../schemas/ids.js";
import { canonicalHash } from "./canonical.js";
import { contentUuid } from "./exporters/uuid.js";
import { sealRecord } from "./records.js";

const run = promisify(execFile);

export const STORE_PATH = /^\/nix\/store\/([0-9a-df-np-sv-z]{32})-([A-Za-z0-9+._?=-]+)$/;

/** One store path of a closure, as Nix describes it. */
export interface ClosurePath {
  path: string;
  /** SHA-256 of the NAR, lower-case hex */
  narSha256: string | null;
  narSize: number | null;
  references: string[];
  deriver: string | null;
}

const NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";

/** Nix's base-32 (as in "sha256:1b8m…") → bytes; Nix writes the least significant digit last. */
export function nix32ToBytes(text: string, length = 32): Buffer {
  const bytes = Buffer.alloc(length);
  for (let n = 0; n < text.length; n++) {
    const digit = NIX32.indexOf(text[text.length - n - 1]!);
    if (digit < 0) throw new Error(`not a Nix base-32 digit: ${text[text.length - n - 1]}`);
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    bytes[i] = (bytes[i]! | (digit << j)) & 0xff;
    if (i + 1 < length) bytes[i + 1] = (bytes[i + 1]! | (digit >> (8 - j))) & 0xff;
  }
  return bytes;
}

/** A Nix hash in any of its spellings (SRI "sha256-…", "sha256:<nix32>", "sha256:<hex>") → hex, or null. */
export function narHashHex(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(value);
  if (sri) return Buffer.from(sri[1]!, "base64").toString("hex");
  const typed = /^sha256:([0-9a-z]+)$/.exec(value);
  if (typed) {
    const body = typed[1]!;
    if (/^[0-9a-f]{64}$/.test(body)) return body;
    if (body.length === 52) return nix32ToBytes(body).toString("hex");
  }
  return null;
}

/** "openssl-3.0.13-bin" → { name: "openssl", version: "3.0.13-bin" }; no version when none starts with a digit. */
export function splitStoreName(storeName: string): { name: string; version?: string } {
  const m = /^(.+?)-(\d.*)$/.exec(storeName);
  return m ? { name: m[1]!, version: m[2]! } : { name: storeName };
}

/** Parses `nix path-info --json` output: an array (Nix ≤ 2.18) or an object keyed by path (newer Nix). */
export function parsePathInfo(json: unknown): ClosurePath[] {
  const entries: [string, Record<string, unknown>][] = Array.isArray(json)
    ? (json as Record<string, unknown>[]).map((e) => [String(e.path), e])
    : Object.entries((json ?? {}) as Record<string, Record<string, unknown>>);
  return entries
    .filter(([path]) => STORE_PATH.test(path))
    .map(([path, e]) => ({
      path,
      narSha256: narHashHex(e.narHash),
      narSize: typeof e.narSize === "number" ? e.narSize : null,
      references: Array.isArray(e.references)
        ? (e.references as string[]).filter((r) => STORE_PATH.test(r))
        : [],
      deriver: typeof e.deriver === "string" ? e.deriver : null,
    }));
}

export interface SbomOptions {
  /** the release closure's root store path */
  root: string;
  closure: readonly ClosurePath[];
  /** BOM timestamp (ISO); the caller's clock */
  timestamp: string;
  generatorVersion: string;
}

function componentType(storeName: string): CDX.Enums.ComponentType {
  if (/^nixos-system-/.test(storeName) || /^darwin-system-/.test(storeName))
    return CDX.Enums.ComponentType.OperatingSystem;
  return CDX.Enums.ComponentType.Library;
}

/** The CycloneDX BOM model of a closure. */
export function closureBom(options: SbomOptions): CDX.Models.Bom {
  const byPath = new Map(options.closure.map((p) => [p.path, p]));
  if (!byPath.has(options.root)) throw new Error(`the closure does not contain its root ${options.root}`);
  const components = new Map<string, CDX.Models.Component>();
  for (const p of [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const storeName = STORE_PATH.exec(p.path)![2]!;
    const { name, version } = splitStoreName(storeName);
    const component = new CDX.Models.Component(componentType(storeName), name, {
      bomRef: p.path,
      ...(version ? { version } : {}),
      description: p.path,
    });
    if (p.narSha256) component.hashes.set(CDX.Enums.HashAlgorithm["SHA-256"], p.narSha256);
    component.properties.add(new CDX.Models.Property("nix:store_path", p.path));
    if (p.narSize !== null)
      component.properties.add(new CDX.Models.Property("nix:nar_size", String(p.narSize)));
    if (p.deriver) component.properties.add(new CDX.Models.Property("nix:deriver", p.deriver));
    components.set(p.path, component);
  }
  for (const p of byPath.values()) {
    const component = components.get(p.path)!;
    for (const ref of p.references) {
      if (ref === p.path) continue; // a path referring to itself is not a dependency
      const target = components.get(ref);
      if (target) component.dependencies.add(target.bomRef);
    }
  }
  const root = components.get(options.root)!;
  const bom = new CDX.Models.Bom({
    serialNumber: `urn:uuid:${contentUuid(["sbom", canonicalHash(options.closure.map((p) => [p.path, p.narSha256]))])}`,
  });
  bom.metadata.timestamp = new Date(options.timestamp);
  bom.metadata.component = root;
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, "nixfleet", {
      version: options.generatorVersion,
    }),
  );
  for (const [path, c] of components) if (path !== options.root) bom.components.add(c);
  return bom;
}

export const SBOM_SPEC = CDX.Spec.Spec1dot6;

/** The BOM as CycloneDX 1.6 JSON text (sorted lists, two-space indentation). */
export function serializeSbom(bom: CDX.Models.Bom): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(SBOM_SPEC));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** Validates SBOM JSON text against CycloneDX's own (strict) JSON schema shipped with the library; null = valid. */
export async function validateSbom(json: string): Promise<unknown> {
  const validator = new CDX.Validation.JsonStrictValidator(SBOM_SPEC.version);
  return validator.validate(json);
}

/** Reads a closure from the local Nix store. `env` carries NIX_CONFIG (experimental features) to nix. */
export async function readClosure(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClosurePath[]> {
  if (!STORE_PATH.test(root)) throw new Error(`${root} is not a Nix store path`);
  try {
    const { stdout } = await run("nix", ["path-info", "--json", "--recursive", root], {
      env,
      maxBuffer: 256 << 20,
    });
    const closure = parsePathInfo(JSON.parse(stdout));
    if (closure.some((p) => p.path === root)) return closure;
  } catch {
    // `nix` without the nix-command feature: fall back to nix-store, which every Nix has.
  }
  const { stdout } = await run("nix-store", ["--query", "--requisites", root], { env, maxBuffer: 64 << 20 });
  const paths = stdout.split("\n").filter((p) => STORE_PATH.test(p));
  const closure: ClosurePath[] = [];
  for (const path of paths) {
    const q = async (flag: string) =>
      (await run("nix-store", ["--query", flag, path], { env })).stdout.trim();
    const deriver = await q("--deriver");
    closure.push({
      path,
      narSha256: narHashHex(await q("--hash")),
      narSize: Number(await q("--size")),
      references: (await q("--references")).split("\n").filter((p) => STORE_PATH.test(p)),
      deriver: STORE_PATH.test(deriver) || deriver.endsWith(".drv") ? deriver : null,
    });
  }
  return closure;
}

/** The SBOM as release evidence: an evidence record of kind "sbom" whose payload is the CycloneDX document. */
export function sbomRecord(
  sbomJson: string,
  options: { collectedAt: string; releaseId?: string | undefined; privateKey?: KeyObject | undefined },
): EvidenceRecord {
  const payload = JSON.parse(sbomJson) as unknown;
  const seed = Buffer.from(canonicalHash(payload), "hex").subarray(0, 10);
  return sealRecord(
    {
      id: newId("evd", Date.parse(options.collectedAt), seed),
      kind: "sbom",
      source: "cli",
      subject: options.releaseId ? { releaseId: options.releaseId } : {},
      collectedAt: options.collectedAt,
      payload,
    },
    options.privateKey,
  );
}
