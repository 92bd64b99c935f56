import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyRecord } from "./records.js";
import {
  closureBom,
  narHashHex,
  nix32ToBytes,
  readClosure,
  sbomRecord,
  serializeSbom,
  splitStoreName,
  validateSbom,
} from "./sbom.js";
import { generateSigningKeys } from "./sign.js";

// Nix as the project's scripts run it (scripts/nix-env.sh): no sandbox, no build users, nix-command on.
const NIX_CONFIG = "sandbox = false\nbuild-users-group =\nexperimental-features = nix-command flakes\n";
const env: NodeJS.ProcessEnv = { ...process.env, NIX_CONFIG: process.env.NIX_CONFIG ?? NIX_CONFIG };

// A real closure: app-2.0 depends on libfoo-1.2.3 and zlib-1.3 (their paths are in its output, so Nix records
// them as references).
const CLOSURE_NIX = `
let
  mk = name: deps: derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo ${"$"}{name} > $out; for d in ${"$"}{toString deps}; do echo $d >> $out; done; echo ${process.pid} >> $out" ];
  };
  libfoo = mk "libfoo-1.2.3" [ ];
  zlib = mk "zlib-1.3" [ ];
in mk "app-2.0" [ libfoo zlib ]
`;

let root = "";

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "nixfleet-sbom-"));
  writeFileSync(join(dir, "closure.nix"), CLOSURE_NIX);
  root = execFileSync("nix-build", [join(dir, "closure.nix"), "--no-out-link"], {
    env,
    encoding: "utf8",
  }).trim();
}, 300_000);

const nixHex = (hash: string) =>
  execFileSync("nix", ["hash", "to-base16", hash], { env, encoding: "utf8" }).trim();

describe("CycloneDX SBOM of a Nix closure", () => {
  it("reads the closure with nix path-info: three paths, references, NAR hashes as Nix computes them", async () => {
    const closure = await readClosure(root, env);
    expect(closure.map((p) => splitStoreName(p.path.slice(44)).name).sort()).toEqual([
      "app",
      "libfoo",
      "zlib",
    ]);
    const app = closure.find((p) => p.path === root)!;
    expect(app.references.map((r) => r.slice(44)).sort()).toEqual(["libfoo-1.2.3", "zlib-1.3"]);
    for (const p of closure) {
      const stored = execFileSync("nix-store", ["--query", "--hash", p.path], {
        env,
        encoding: "utf8",
      }).trim();
      expect(p.narSha256, p.path).toBe(nixHex(stored));
      expect(narHashHex(stored)).toBe(p.narSha256); // the nix32 spelling decodes to the same digest
    }
  });

  it("falls back to nix-store queries when nix-command is off, with the same closure", async () => {
    const viaPathInfo = await readClosure(root, env);
    const plain = {
      ...process.env,
      NIX_CONFIG: "sandbox = false\nbuild-users-group =\nexperimental-features =\n",
    };
    const viaNixStore = await readClosure(root, plain);
    const key = (ps: typeof viaPathInfo) =>
      ps.map((p) => [p.path, p.narSha256, p.narSize, [...p.references].sort()]).sort();
    expect(key(viaNixStore)).toEqual(key(viaPathInfo));
  });

  it("builds a BOM that validates against CycloneDX's own 1.6 schema, with versions, hashes and the graph", async () => {
    const closure = await readClosure(root, env);
    const json = serializeSbom(
      closureBom({ root, closure, timestamp: "2026-11-25T12:00:00Z", generatorVersion: "0.1.0" }),
    );
    expect(await validateSbom(json)).toBeNull();
    const doc = JSON.parse(json) as {
      specVersion: string;
      metadata: { component: { name: string; version: string; "bom-ref": string } };
      components: { name: string; version?: string; hashes: { alg: string; content: string }[] }[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    expect(doc.specVersion).toBe("1.6");
    expect(doc.metadata.component).toMatchObject({ name: "app", version: "2.0", "bom-ref": root });
    expect(doc.components.map((c) => [c.name, c.version]).sort()).toEqual([
      ["libfoo", "1.2.3"],
      ["zlib", "1.3"],
    ]);
    for (const c of doc.components) expect(c.hashes[0]!.content).toMatch(/^[0-9a-f]{64}$/);
    const rootDeps = doc.dependencies.find((d) => d.ref === root)!;
    expect(rootDeps.dependsOn!.map((r) => r.slice(44)).sort()).toEqual(["libfoo-1.2.3", "zlib-1.3"]);
    // Deterministic: the same closure and time give the same bytes.
    expect(
      serializeSbom(
        closureBom({ root, closure, timestamp: "2026-11-25T12:00:00Z", generatorVersion: "0.1.0" }),
      ),
    ).toBe(json);
    // And the validator does reject a broken document.
    expect(await validateSbom(json.replace('"specVersion": "1.6"', '"specVersion": 1.6'))).not.toBeNull();
  });

  it("seals the SBOM as release evidence (kind sbom) that verifies and detects tampering", async () => {
    const closure = await readClosure(root, env);
    const json = serializeSbom(
      closureBom({ root, closure, timestamp: "2026-11-25T12:00:00Z", generatorVersion: "0.1.0" }),
    );
    const { privateKey, publicKey } = generateSigningKeys();
    const record = sbomRecord(json, {
      collectedAt: "2026-11-25T12:00:00Z",
      releaseId: "rel_test",
      privateKey,
    });
    expect(record.kind).toBe("sbom");
    expect(verifyRecord(record, publicKey).ok).toBe(true);
    const tampered = JSON.parse(JSON.stringify(record)) as typeof record;
    (tampered.payload as { components: { version?: string }[] }).components[0]!.version = "9.9.9";
    expect(verifyRecord(tampered, publicKey).failure).toBe("hash-mismatch");
  });

  it("decodes Nix base-32 exactly as nix hash to-base16 does", () => {
    const nix32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
    expect(nix32ToBytes(nix32).toString("hex")).toBe(nixHex(`sha256:${nix32}`));
  });
});
