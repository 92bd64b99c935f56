/** `nixfleet release create --flake` with real Nix: toplevel paths and facts from `nix eval`, evidence from the controls. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import { validate } from "../../schemas/registry.js";
import { nixfleet, tempDir } from "./cli-helpers.js";

function nixEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.NIX_CONFIG?.includes("nix-command"))
    env.NIX_CONFIG = `sandbox = false\nbuild-users-group =\nexperimental-features = nix-command flakes\n${env.NIX_CONFIG ?? ""}`;
  return env;
}

// A flake without inputs (no nixpkgs here): nixosConfigurations shaped like the real thing where it matters.
// Both hosts carry the lock date as mkHost writes it (epoch seconds); web's lock is two days old, legacy's a year.
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const FLAKE = `{
  outputs = { self }: let
    host = name: permitRoot: lockLastModified: {
      config = {
        system.build.toplevel = derivation { name = "nixos-system-\${name}"; system = "x86_64-linux"; builder = "/bin/sh"; };
        nixfleet.compliance.facts = {
          nixfleet.meta = { hostName = name; system = "x86_64-linux"; inherit lockLastModified; };
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = permitRoot;
        };
      };
    };
  in { nixosConfigurations = { web = host "web" "no" ${NOW - 2 * DAY}; legacy = host "legacy" "yes" ${NOW - 365 * DAY}; }; };
}`;

describe("release create --flake", () => {
  it("builds a valid manifest from nix eval, with eval-time evidence per host", async () => {
    const dir = join(tempDir("nixfleet-flake-"), "fleet");
    mkdirSync(dir);
    writeFileSync(join(dir, "flake.nix"), FLAKE);
    const r = await nixfleet(["release", "create", "--flake", `path:${dir}`, "--dry-run"], nixEnv());
    expect(r.code, r.stderr).toBe(0);
    const manifest = validate<ReleaseManifest>("release-manifest", JSON.parse(r.stdout));
    expect(Object.keys(manifest.hosts).sort()).toEqual(["legacy", "web"]);
    expect(manifest.hosts.web?.toplevel).toMatch(/^\/nix\/store\/[0-9a-z]{32}-nixos-system-web$/);
    const rootLogin = (host: string) =>
      manifest.hosts[host]?.evalEvidence.find((e) => e.controlId === "ssh-no-root-login")?.status;
    expect(rootLogin("web")).toBe("pass");
    expect(rootLogin("legacy")).toBe("fail");
    // the lock's age is computed at release time from the date in the facts, not left unknown
    const lockFresh = (host: string) =>
      manifest.hosts[host]?.evalEvidence.find((e) => e.controlId === "updates-lock-fresh");
    expect(lockFresh("web")?.status).toBe("pass");
    expect(lockFresh("legacy")?.status).toBe("fail");
    expect(lockFresh("legacy")?.message).toContain("365 day(s) old");
    expect(manifest.source?.flake).toBe(`path:${dir}`);
    // mkHost facts carry no collection time (Nix has no clock): the evidence is dated by this evaluation, so the
    // gate judges it instead of counting it as missing
    const started = Date.now() - 120_000;
    for (const host of ["web", "legacy"])
      for (const e of manifest.hosts[host]!.evalEvidence) {
        expect(e.collectedAt, `${host} ${e.controlId}`).toBeDefined();
        expect(Date.parse(e.collectedAt!)).toBeGreaterThan(started);
      }

    const only = await nixfleet(
      ["release", "create", "--flake", `path:${dir}`, "--host", "web", "--dry-run"],
      nixEnv(),
    );
    expect(Object.keys(JSON.parse(only.stdout).hosts)).toEqual(["web"]);
    const missing = await nixfleet(
      ["release", "create", "--flake", `path:${dir}`, "--host", "nope", "--dry-run"],
      nixEnv(),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no nixosConfigurations.nope");
  }, 120_000);
});
