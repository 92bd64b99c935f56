/**
 * `nixfleet demo` as a newcomer runs it (`npm start` runs the same command): the story reaches its end, the
 * gate blocks before the waiver, the rollout pauses on the unhealthy host, and the auditor's files exist and
 * are what they claim (the PDF passes qpdf --check and poppler reads the NIS2 title; the JSON files parse).
 * Run twice in the same folder to show a second run works: first with Nix (real nix-build generations, no
 * banner), then with --simulate, which must use the simulated driver although Nix is installed and say so.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../harness/cli.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

afterAll(cleanupAll);

describe("nixfleet demo", () => {
  it("tells the whole story and writes the auditor's outputs, twice in a row (Nix, then --simulate)", async () => {
    const cwd = tempDir("nixfleet-demo-");
    for (const round of [1, 2]) {
      const simulated = round === 2;
      const finished = await runCli(simulated ? ["demo", "--simulate"] : ["demo"], {
        cwd,
        timeoutMs: 400_000,
      });
      expect(finished.code, `round ${round}\n${finished.stdout}\n${finished.stderr}`).toBe(0);
      const out = finished.stdout;
      if (simulated) {
        expect(out).toMatch(/!! SIMULATED DRIVER\. --simulate was given: Nix is installed but not used\./);
        expect(out).toMatch(/simulated systems \(no Nix\), recorded with release create --manifest/);
        expect(out).toMatch(/web-04 runs v1 again; v2 was \/nix\/store\/\S+-demo-v2-simulated/);
      } else {
        expect(out).not.toMatch(/SIMULATED|simulated/);
        expect(out).toMatch(/toplevels built with nix build, recorded with release create --flake/);
        // a real store path, built by Nix
        const v2 = /web-04 runs v1 again; v2 was (\/nix\/store\/\S+-nixos-system-web-04-demo-v2)$/m.exec(
          out,
        )?.[1];
        expect(v2 && existsSync(v2), out).toBe(true);
      }
      expect(out).toMatch(/db-01\s+\d+ controls pass, .*fails ssh-no-root-login/);
      expect(out).toMatch(/blocked.*: db-01 ssh-no-root-login is fail/);
      expect(out).toMatch(/alice approving her own waiver is refused \(exit 1\)/);
      expect(out).toMatch(/paused \(batch-failed\)/);
      expect(out).toMatch(/web-04\s+2\s+rolled-back .*HTTP 502 from the application/);
      // the operator reads the failed host's reason once
      expect(out.match(/HTTP 502 from the application/g)).toHaveLength(1);
      expect(out).toMatch(/web-04 runs v1 again/);
      const dir = join(cwd, ".nixfleet-demo", "out");
      const pdf = join(dir, "nis2-report.pdf");
      for (const file of [
        "nis2-report.pdf",
        "nis2-report.json",
        "oscal-assessment-results.json",
        "evidence-bundle.json",
      ]) {
        expect(existsSync(join(dir, file)), file).toBe(true);
        expect(out).toContain(join(dir, file));
      }
      execFileSync("qpdf", ["--check", pdf], { stdio: "pipe" });
      const text = execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" });
      expect(text).toMatch(/NIS2/);
      const oscal = JSON.parse(readFileSync(join(dir, "oscal-assessment-results.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(Object.keys(oscal)).toContain("assessment-results");
      JSON.parse(readFileSync(join(dir, "nis2-report.json"), "utf8"));
      const bundle = JSON.parse(readFileSync(join(dir, "evidence-bundle.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(Object.keys(bundle).length).toBeGreaterThan(0);
      // the auditor token printed at the end reads but cannot change anything
      const token = /auditor token \(read-only\):\s+(\S+)/.exec(out)?.[1];
      expect(token).toMatch(/^nft_/);
      // the bundle verifies offline
      const verify = await runCli(["evidence", "verify", join(dir, "evidence-bundle.json"), "--json"], {
        cwd,
      });
      expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    }
  }, 900_000);
});
