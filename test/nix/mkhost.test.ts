/**
 * mkHost's argument handling, evaluated by real Nix against recording stand-ins for nixpkgs.lib.nixosSystem
 * and nix-darwin.lib.darwinSystem (they return the arguments they were called with).
 */
import { describe, expect, it } from "vitest";
import { evalFailure, evalJson, repoPath, withPrelude } from "./nix.js";

const mkHost = `(import ${repoPath("nix/lib/mkHost.nix")} { nixosModules = [ "NIXOS-FLEET-MODULE" ]; darwinModules = [ "DARWIN-FLEET-MODULE" ]; })`;

interface Override<T> {
  _type: "override";
  priority: number;
  content: T;
}
interface HostModule {
  networking: { hostName: Override<string> };
  nixpkgs: { hostPlatform: Override<string> };
  nixfleet: { hostSpec: Record<string, Override<unknown>> };
}
interface Recorded {
  recordedBy: "nixosSystem" | "darwinSystem";
  args: { modules: [string, HostModule, ...unknown[]]; specialArgs?: Record<string, unknown> };
}

function record(call: string): Recorded {
  return evalJson<Recorded>(withPrelude(`let mkHost = ${mkHost}; in ${call}`));
}

const mkDefault = <T>(content: T): Override<T> => ({ _type: "override", priority: 1000, content });

describe("mkHost", () => {
  it.each([
    ["x86_64-linux", "nixosSystem", "NIXOS-FLEET-MODULE"],
    ["aarch64-linux", "nixosSystem", "NIXOS-FLEET-MODULE"],
    ["x86_64-darwin", "darwinSystem", "DARWIN-FLEET-MODULE"],
    ["aarch64-darwin", "darwinSystem", "DARWIN-FLEET-MODULE"],
  ])("builds a %s host with %s and the NixFleet modules for it", (platform, builder, fleetModule) => {
    const recorded = record(
      `mkHost { hostName = "h1"; platform = "${platform}"; nixpkgs = recordingNixpkgs; nix-darwin = recordingNixDarwin; }`,
    );
    expect(recorded.recordedBy).toBe(builder);
    expect(recorded.args.modules[0]).toBe(fleetModule);
    expect(recorded.args.modules).toHaveLength(2);
    expect(recorded.args.modules[1].nixpkgs.hostPlatform).toEqual(mkDefault(platform));
  });

  it("sets host name, platform and every hostSpec value with nixpkgs' mkDefault (priority 1000)", () => {
    const recorded = record(`mkHost {
      hostName = "web-1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs;
      hostSpec = { tags = [ "canary" "web" ]; environment = "production"; rack = { row = 4; }; };
    }`);
    const host = recorded.args.modules[1];
    expect(host.networking.hostName).toEqual(mkDefault("web-1"));
    expect(host.nixfleet.hostSpec).toEqual({
      tags: mkDefault(["canary", "web"]),
      environment: mkDefault("production"),
      rack: mkDefault({ row: 4 }),
    });
  });

  it("records when a flake-input nixpkgs was last updated, as a default, and nothing when it is not a flake input", () => {
    const withLock = record(`mkHost {
      hostName = "web-1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs // { lastModified = 1750000000; };
    }`);
    expect(
      (withLock.args.modules[1] as unknown as { nixfleet: { compliance: { lockLastModified: unknown } } })
        .nixfleet.compliance.lockLastModified,
    ).toEqual(mkDefault(1750000000));
    const withoutLock = record(
      `mkHost { hostName = "web-1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; }`,
    );
    expect(withoutLock.args.modules[1].nixfleet).not.toHaveProperty("compliance");
  });

  it("appends the user's modules after the NixFleet ones, in order, and passes other arguments through", () => {
    const recorded = record(`mkHost {
      hostName = "web-1"; platform = "aarch64-linux"; nixpkgs = recordingNixpkgs;
      modules = [ { services.openssh.enable = true; } "USER-MODULE-2" ];
      specialArgs = { site = "paris"; };
    }`);
    expect(recorded.args.modules.slice(2)).toEqual([
      { services: { openssh: { enable: true } } },
      "USER-MODULE-2",
    ]);
    expect(recorded.args.specialArgs).toEqual({ site: "paris" });
    // mkHost's own arguments are consumed, not forwarded to nixosSystem (it would reject them).
    expect(Object.keys(recorded.args).sort()).toEqual(["modules", "specialArgs"]);
  });

  it("a user's plain definition wins over mkHost's defaults in the module system", () => {
    // Through the stand-in module evaluator: priority 100 (plain) beats 1000 (mkDefault).
    const hostName = evalJson<string>(
      withPrelude(`let
        recorded = (${mkHost}) { hostName = "web-1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; };
        evaluated = standinEval.evalModules { modules = builtins.tail recorded.args.modules ++ [ { networking.hostName = "renamed"; } ]; };
      in evaluated.config.networking.hostName`),
    );
    expect(hostName).toBe("renamed");
  });

  it("refuses an unknown platform and names the known ones", () => {
    const error = evalFailure(
      withPrelude(`(${mkHost}) { hostName = "h1"; platform = "riscv64-linux"; nixpkgs = recordingNixpkgs; }`),
    );
    expect(error).toContain('host "h1": unknown platform "riscv64-linux"');
    expect(error).toContain("aarch64-darwin, aarch64-linux, x86_64-darwin, x86_64-linux");
  });

  it("refuses a Darwin host without nix-darwin and says what to pass", () => {
    const error = evalFailure(
      withPrelude(
        `(${mkHost}) { hostName = "mac-1"; platform = "aarch64-darwin"; nixpkgs = recordingNixpkgs; }`,
      ),
    );
    expect(error).toContain('host "mac-1" is a Darwin host (aarch64-darwin) and needs nix-darwin');
    expect(error).toContain("nix-darwin = inputs.nix-darwin;");
  });

  it("refuses a bad host name, a non-list modules and a non-attrset hostSpec", () => {
    expect(
      evalFailure(
        withPrelude(
          `(${mkHost}) { hostName = "-bad name"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; }`,
        ),
      ),
    ).toContain('hostName "-bad name" is not a host name');
    expect(
      evalFailure(
        withPrelude(
          `(${mkHost}) { hostName = "h1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; modules = { }; }`,
        ),
      ),
    ).toContain("`modules` must be a list of modules");
    expect(
      evalFailure(
        withPrelude(
          `(${mkHost}) { hostName = "h1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; hostSpec = [ ]; }`,
        ),
      ),
    ).toContain("`hostSpec` must be an attribute set");
  });

  it("says so when `nixpkgs` is not the nixpkgs flake", () => {
    const error = evalFailure(
      withPrelude(`(${mkHost}) { hostName = "h1"; platform = "x86_64-linux"; nixpkgs = { lib = { }; }; }`),
    );
    expect(error).toContain("`nixpkgs` has no lib.nixosSystem");
  });
});
