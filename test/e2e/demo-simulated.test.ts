/**
 * `nixfleet demo` on a machine without Nix: PATH holds only the few tools the demo's hosts use (a shell, flock,
 * date, ln, cat) and none of nix-build, nix-env or nix, so the automatic fallback is what runs — nothing asks
 * for it. The demo must say so in its banner, tell the same story to the end over real processes, TLS and
 * SQLite, and write outputs that are what they claim: the bundle verifies offline, the PDF passes qpdf --check,
 * and every runtime report in the evidence says driver "simulated". (`--simulate` with Nix present is the
 * second round of test/e2e/demo.test.ts.)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../harness/cli.js";
import { nixEnv } from "../harness/nix.js";
import { cleanupAll, tempDir } from "../harness/temp.js";

afterAll(cleanupAll);

/** Where `command` lives on this machine's full PATH. */
function which(command: string): string {
  return execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim();
}

/** A PATH of exactly these tools (links to the machine's own), without any of Nix's commands. */
function pathWithout(dir: string, tools: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) symlinkSync(which(tool), join(dir, tool));
  return dir;
}

describe("nixfleet demo without Nix", () => {
  it("says so in a banner, runs the simulated driver, and tells the whole story", async () => {
    const cwd = tempDir("nixfleet-demo-nonix-");
    const bin = pathWithout(join(cwd, "bin"), ["sh", "flock", "cat", "date", "ln"]);
    const env = nixEnv({ PATH: bin });
    // the premise: in this PATH there is no Nix (the machine itself has it: the other demo test uses it)
    for (const nix of ["nix-build", "nix-env", "nix"]) {
      expect(spawnSync(join(bin, "sh"), ["-c", `command -v ${nix}`], { env }).status, nix).not.toBe(0);
      expect(() => which(nix), `${nix} on the full PATH`).not.toThrow();
    }

    const finished = await runCli(["demo"], { cwd, env, timeoutMs: 400_000 });
    const out = finished.stdout;
    expect(finished.code, `${out}\n${finished.stderr}`).toBe(0);

    // the banner comes first, before any step
    expect(out).toMatch(
      /!! SIMULATED DRIVER\. Nix was not found on this machine \(no nix-build \/ nix-env \/ nix on PATH\)/,
    );
    expect(out.indexOf("SIMULATED DRIVER")).toBeLessThan(out.indexOf("[1] "));
    expect(out).toMatch(/install Nix .* and run again/);
    // the story, as with Nix
    expect(out).toMatch(/agents started \(mTLS, polling every 0\.5 s, simulated driver\)/);
    expect(out).toMatch(/db-01\s+\d+ controls pass, .*fails ssh-no-root-login/);
    expect(out).toMatch(
      /release rel_\w+: 6 hosts, simulated systems \(no Nix\), recorded with release create --manifest/,
    );
    expect(out).toMatch(/blocked.*: db-01 ssh-no-root-login is fail/);
    expect(out).toMatch(/alice approving her own waiver is refused \(exit 1\)/);
    expect(out).toMatch(/bob approves it/);
    expect(out).toMatch(/running: canary/);
    expect(out).toMatch(/paused \(batch-failed\): canary passed 1\/1/);
    expect(out).toMatch(/web-04\s+2\s+rolled-back .*HTTP 502 from the application/);
    // the reason is printed once
    expect(out.match(/HTTP 502 from the application/g)).toHaveLength(1);
    expect(out).toMatch(
      /web-04 runs v1 again; v2 was \/nix\/store\/[0-9a-z]{32}-nixos-system-web-04-demo-v2-simulated/,
    );
    expect(out).toMatch(/confirmed on v2: [\w-]+/);
    expect(out).toMatch(/driver:\s+simulated \(no Nix\)/);

    const demo = join(cwd, ".nixfleet-demo");
    const dir = join(demo, "out");
    for (const file of [
      "nis2-report.pdf",
      "nis2-report.json",
      "oscal-assessment-results.json",
      "evidence-bundle.json",
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
      expect(out).toContain(join(dir, file));
    }
    const pdf = join(dir, "nis2-report.pdf");
    execFileSync("qpdf", ["--check", pdf], { stdio: "pipe" });
    expect(execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" })).toMatch(/NIS2/);
    const oscal = JSON.parse(readFileSync(join(dir, "oscal-assessment-results.json"), "utf8")) as object;
    expect(Object.keys(oscal)).toContain("assessment-results");
    const token = /auditor token \(read-only\):\s+(\S+)/.exec(out)?.[1];
    expect(token).toMatch(/^nft_/);
    expect(readFileSync(join(dir, "auditor-token.txt"), "utf8").trim()).toBe(token);
    const verify = await runCli(["evidence", "verify", join(dir, "evidence-bundle.json"), "--json"], { cwd });
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);

    // the evidence says what drove these hosts: no runtime report can be taken for a real Nix switch
    const bundle = JSON.parse(readFileSync(join(dir, "evidence-bundle.json"), "utf8")) as {
      records: { kind: string; subject: { machineId: string }; payload: { driver?: string } }[];
    };
    const runtime = bundle.records.filter((r) => r.kind === "runtime-report");
    expect(new Set(runtime.map((r) => r.subject.machineId)).size).toBe(6);
    expect(runtime.map((r) => r.payload.driver)).toEqual(runtime.map(() => "simulated"));
    // the agents said so in their logs
    expect(readFileSync(join(demo, "logs", "agent-web-04.log"), "utf8")).toMatch(
      /"driver":"simulated".*SIMULATED driver/,
    );

    // web-04's profile: generation 2 (v2) was made, then the profile went back to generation 1 — in plain
    // directories of the simulated store, nothing in /nix/store
    const profiles = join(demo, "hosts", "web-04", "profiles");
    expect(readdirSync(profiles).sort()).toEqual(["system", "system-1-link", "system-2-link"]);
    expect(readlinkSync(join(profiles, "system"))).toBe("system-1-link");
    const v2 = readlinkSync(join(profiles, "system-2-link"));
    expect(v2).toMatch(
      new RegExp(`^${join(demo, "simulated-store")}/[0-9a-z]{32}-nixos-system-web-04-demo-v2-simulated$`),
    );
    expect(existsSync(join("/nix/store", v2.split("/").pop() ?? ""))).toBe(false);
    expect(readFileSync(join(demo, "hosts", "web-04", "activations.log"), "utf8")).toMatch(
      /v1 boot\n.*v2 switch\n.*v1 switch\n$/,
    );
  }, 600_000);
});
