/**
 * flake.nix without nixpkgs: `nix flake show` / `nix flake check` would fetch nixpkgs, which these machines
 * cannot, so the flake's `outputs` function is called directly with recording stand-ins for its inputs and
 * its outputs are checked attribute by attribute. nix/package.nix is called with a recording
 * buildNpmPackage to check what it would build from.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evalJson, repoPath, repoRoot, runNix, withPrelude } from "./nix.js";

describe("flake.nix", () => {
  it("parses, and declares nixpkgs and nix-darwin (following nixpkgs) as its only inputs", () => {
    expect(runNix("nix-instantiate", ["--parse", "flake.nix"]).status).toBe(0);
    const inputs = evalJson<Record<string, { url: string; inputs?: { nixpkgs: { follows: string } } }>>(
      `(import ${repoPath("flake.nix")}).inputs`,
    );
    expect(Object.keys(inputs).sort()).toEqual(["nix-darwin", "nixpkgs"]);
    expect(inputs.nixpkgs?.url).toMatch(/^github:NixOS\/nixpkgs\//);
    expect(inputs["nix-darwin"]?.inputs?.nixpkgs.follows).toBe("nixpkgs");
  });

  it("exposes lib.mkHost, the NixOS and nix-darwin modules, packages for four systems and a template", () => {
    const shape = evalJson<{
      lib: string[];
      nixosModules: Record<string, string>;
      darwinModules: Record<string, string>;
      packages: Record<string, string[]>;
      template: { path: string; description: string };
    }>(
      withPrelude(`{
        lib = builtins.attrNames flakeOutputs.lib;
        # Each module is { imports = [ <file> ]; } (nix flake check refuses bare paths as modules).
        nixosModules = builtins.mapAttrs (_: m: toString (builtins.head m.imports)) flakeOutputs.nixosModules;
        darwinModules = builtins.mapAttrs (_: m: toString (builtins.head m.imports)) flakeOutputs.darwinModules;
        packages = builtins.mapAttrs (_: builtins.attrNames) flakeOutputs.packages;
        template = { path = toString flakeOutputs.templates.default.path; inherit (flakeOutputs.templates.default) description; };
      }`),
    );
    expect(shape.lib).toContain("mkHost");
    expect(Object.keys(shape.nixosModules).sort()).toEqual([
      "agent",
      "compliance",
      "control-plane",
      "default",
    ]);
    expect(Object.keys(shape.darwinModules).sort()).toEqual(["agent", "compliance", "default"]);
    for (const file of [...Object.values(shape.nixosModules), ...Object.values(shape.darwinModules)])
      expect(existsSync(file), file).toBe(true);
    expect(shape.nixosModules.agent).toBe(join(repoRoot, "nix/modules/nixos/agent.nix"));
    expect(shape.darwinModules.agent).toBe(join(repoRoot, "nix/modules/darwin/agent.nix"));
    expect(Object.keys(shape.packages).sort()).toEqual([
      "aarch64-darwin",
      "aarch64-linux",
      "x86_64-darwin",
      "x86_64-linux",
    ]);
    for (const names of Object.values(shape.packages)) expect(names.sort()).toEqual(["default", "nixfleet"]);
    expect(shape.template.path).toBe(join(repoRoot, "templates/default"));
    expect(existsSync(join(shape.template.path, "flake.nix"))).toBe(true);
  });

  it("builds packages.<system>.nixfleet from nix/package.nix with that system's nixpkgs", () => {
    const calls = evalJson<Record<string, { recordedBy: string; system: string; path: string }>>(
      withPrelude(`builtins.mapAttrs (_: p: p.nixfleet) flakeOutputs.packages`),
    );
    for (const [system, call] of Object.entries(calls)) {
      expect(call).toEqual({
        recordedBy: "callPackage",
        system,
        path: join(repoRoot, "nix/package.nix"),
        args: {},
      });
    }
  });

  it("lib.mkHost injects nixosModules.default on Linux and darwinModules.default on Darwin, with its own nix-darwin by default", () => {
    const result = evalJson<{ linux: { by: string; first: string }; darwin: { by: string; first: string } }>(
      withPrelude(`let
        linux = flakeOutputs.lib.mkHost { hostName = "web-1"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs; };
        darwin = flakeOutputs.lib.mkHost { hostName = "mac-1"; platform = "aarch64-darwin"; nixpkgs = recordingNixpkgs; };
      in {
        linux = { by = linux.recordedBy; first = toString (builtins.head (builtins.head linux.args.modules).imports); };
        darwin = { by = darwin.recordedBy; first = toString (builtins.head (builtins.head darwin.args.modules).imports); };
      }`),
    );
    expect(result.linux).toEqual({
      by: "nixosSystem",
      first: join(repoRoot, "nix/modules/nixos/default.nix"),
    });
    expect(result.darwin).toEqual({
      by: "darwinSystem",
      first: join(repoRoot, "nix/modules/darwin/default.nix"),
    });
  });
});

describe("nix/lib", () => {
  it("is a pure library: every attribute evaluates without nixpkgs", () => {
    const kinds = evalJson<Record<string, string>>(
      `builtins.mapAttrs (_: builtins.typeOf) (import ${repoPath("nix/lib")})`,
    );
    expect(kinds).toEqual({
      agentConfig: "set",
      compliance: "set",
      controlPlaneConfig: "set",
      hardening: "set",
      mkHost: "lambda",
      optionsDoc: "set",
      platforms: "set",
    });
  });
});

describe("nix/package.nix", () => {
  // A recording buildNpmPackage and the few lib functions package.nix uses, with nixpkgs' semantics.
  const packageCall = `import ${repoPath("nix/package.nix")} {
    lib = {
      importJSON = path: builtins.fromJSON (builtins.readFile path);
      removeSuffix = suffix: s: let n = builtins.stringLength s; m = builtins.stringLength suffix; in
        if n >= m && builtins.substring (n - m) m s == suffix then builtins.substring 0 (n - m) s else s;
      fileset = { unions = list: list; toSource = { root, fileset }: { root = toString root; fileset = map toString fileset; }; };
      getExe = p: "\${p}/bin/node";
      makeBinPath = ps: builtins.concatStringsSep ":" (map (p: "\${p}/bin") ps);
      licenses.mit = "MIT";
      platforms = { linux = [ "x86_64-linux" "aarch64-linux" ]; darwin = [ "x86_64-darwin" "aarch64-darwin" ]; };
    };
    buildNpmPackage = args: args;
    nodejs_20 = "/nix/store/nodejs-20";
    python3 = "/nix/store/python3";
    makeWrapper = "/nix/store/make-wrapper";
    nix = "/nix/store/nix";
    openssh = "/nix/store/openssh";
  }`;

  it("builds the CLI from package.json's name and version, from files that exist", () => {
    const args = evalJson<{
      pname: string;
      version: string;
      src: { root: string; fileset: string[] };
      npmBuildScript: string;
      meta: { mainProgram: string };
      installPhase: string;
    }>(packageCall);
    const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    expect(args.pname).toBe(packageJson.name);
    expect(args.version).toBe(packageJson.version);
    expect(args.src.root).toBe(repoRoot);
    // nixpkgs' fileset refuses paths that do not exist: every member must.
    for (const member of args.src.fileset) expect(existsSync(member), member).toBe(true);
    expect(args.src.fileset).toContain(join(repoRoot, "package-lock.json"));
    expect(args.npmBuildScript).toBe("build");
    expect(args.meta.mainProgram).toBe("nixfleet");
    expect(args.installPhase).toContain("dist/cli/main.js");
  });

  it("reads npmDepsHash from nix/npm-deps-hash, an SRI sha256 (nixpkgs' placeholder until filled in with network)", () => {
    const hash = evalJson<string>(`(${packageCall}).npmDepsHash`);
    expect(hash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(hash).toBe(readFileSync(join(repoRoot, "nix/npm-deps-hash"), "utf8").trim());
  });
});
