/**
 * `nixfleet release sbom STORE_PATH`: the CycloneDX SBOM of a release closure (NIS2 21.2.d, supply chain),
 * optionally sealed as release evidence (an evidence record of kind "sbom").
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  closureBom,
  readClosure,
  STORE_PATH,
  sbomRecord,
  serializeSbom,
  validateSbom,
} from "../evidence/sbom.js";
import { loadPrivateKey } from "../evidence/sign.js";
import { CheckFailed, UsageError } from "./errors.js";
import { group } from "./groups.js";
import { generatorVersion } from "./report.js";

interface SbomOptions {
  out?: string;
  releaseId?: string;
  evidenceOut?: string;
  signKey?: string;
  json?: boolean;
}

export function registerSbomCommand(program: Command): void {
  group(program, "release", "Immutable, content-addressed releases")
    .command("sbom")
    .description("CycloneDX 1.6 SBOM of a release closure (components, NAR SHA-256, dependency graph)")
    .argument("<store-path>", "the release's toplevel store path (/nix/store/…)")
    .option("--out <file>", "write the SBOM here (default: standard output)")
    .option("--release-id <id>", "the release the SBOM belongs to (recorded in the evidence record)")
    .option("--evidence-out <file>", "also write the SBOM as a sealed evidence record (kind sbom)")
    .option("--sign-key <file>", "sign that evidence record with this Ed25519 key")
    .option("--json", "print a JSON summary instead of the SBOM when --out is given")
    .action(async (storePath: string, opts: SbomOptions) => {
      if (!STORE_PATH.test(storePath))
        throw new UsageError(`${storePath} is not a Nix store path (/nix/store/<hash>-<name>)`);
      const signingKey = opts.signKey !== undefined ? loadPrivateKey(opts.signKey) : undefined;
      let closure: Awaited<ReturnType<typeof readClosure>>;
      try {
        closure = await readClosure(storePath);
      } catch (err) {
        throw new UsageError(
          `${storePath}: cannot read its closure from the Nix store: ${(err as Error).message.split("\n")[0]}`,
        );
      }
      const now = new Date().toISOString();
      const json = serializeSbom(
        closureBom({ root: storePath, closure, timestamp: now, generatorVersion: generatorVersion() }),
      );
      // Never hand out an SBOM that its own schema rejects.
      const invalid = await validateSbom(json);
      if (invalid !== null)
        throw new CheckFailed(
          `the SBOM does not validate against CycloneDX 1.6: ${JSON.stringify(invalid).slice(0, 300)}`,
        );
      if (opts.out !== undefined) writeFileSync(opts.out, json);
      let evidenceId: string | undefined;
      if (opts.evidenceOut !== undefined) {
        const record = sbomRecord(json, {
          collectedAt: now,
          releaseId: opts.releaseId,
          privateKey: signingKey,
        });
        writeFileSync(opts.evidenceOut, `${JSON.stringify(record, null, 2)}\n`);
        evidenceId = record.id;
      }
      if (opts.out === undefined) process.stdout.write(json);
      else if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ out: opts.out, root: storePath, components: closure.length, evidenceId }, null, 2)}\n`,
        );
      else
        process.stdout.write(
          `wrote ${opts.out}: ${closure.length} component(s) in the closure of ${storePath}\n`,
        );
    });
}
