/**
 * The stand-ins for nixpkgs (nix/lib/standin/) must behave like nixpkgs where the tests rely on them:
 * override priorities, mkIf / mkMerge, list and attribute-set merging, defaults, undeclared options and
 * type errors. Each expectation below is what nixpkgs' lib/modules.nix does in the same situation.
 */
import { describe, expect, it } from "vitest";
import { evalFailure, evalJson, repoPath } from "./nix.js";

const standin = `let
  lib = import ${repoPath("nix/lib/standin/lib.nix")};
  ev = import ${repoPath("nix/lib/standin/eval.nix")} { inherit lib; };
  declaring = { lib, config, ... }: {
    options.nixfleet.example = {
      enable = lib.mkEnableOption "the example";
      port = lib.mkOption { type = lib.types.port; default = 8080; };
      names = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
      mode = lib.mkOption { type = lib.types.enum [ "a" "b" ]; default = "a"; };
      required = lib.mkOption { type = lib.types.str; };
    };
    config = lib.mkIf config.nixfleet.example.enable {
      environment.etc."example".text = toString config.nixfleet.example.port;
      networking.firewall.allowedTCPPorts = lib.mkMerge [ [ config.nixfleet.example.port ] (lib.mkIf false [ 1 ]) ];
    };
  };
  eval = modules: ev.evalModules { modules = [ declaring ] ++ modules; };
in`;

describe("stand-in module evaluator", () => {
  it("mkOverride priorities: mkForce (50) beats plain (100) beats mkDefault (1000) beats the option default", () => {
    const ports = evalJson<number[]>(`${standin} [
      (eval [ { nixfleet.example.required = "x"; } ]).config.nixfleet.example.port
      (eval [ { nixfleet.example = { required = "x"; port = lib.mkDefault 1; }; } ]).config.nixfleet.example.port
      (eval [ { nixfleet.example = { required = "x"; port = lib.mkDefault 1; }; } { nixfleet.example.port = 2; } ]).config.nixfleet.example.port
      (eval [ { nixfleet.example = { required = "x"; port = lib.mkForce 3; }; } { nixfleet.example.port = 2; } ]).config.nixfleet.example.port
    ]`);
    expect(ports).toEqual([8080, 1, 2, 3]);
  });

  it("concatenates lists of equal priority and lets a higher priority replace them", () => {
    const names = evalJson<string[][]>(`${standin} [
      (eval [ { nixfleet.example = { required = "x"; names = [ "a" ]; }; } { nixfleet.example.names = [ "b" ]; } ]).config.nixfleet.example.names
      (eval [ { nixfleet.example = { required = "x"; names = [ "a" ]; }; } { nixfleet.example.names = lib.mkForce [ "c" ]; } ]).config.nixfleet.example.names
    ]`);
    expect(names).toEqual([["a", "b"], ["c"]]);
  });

  it("resolves mkIf and mkMerge in a module's config, and drops what a false mkIf guards", () => {
    const result = evalJson<{ on: unknown; off: string[] }>(`${standin} {
      on = let c = (eval [ { nixfleet.example = { enable = true; required = "x"; port = 9; }; } ]).config; in
        { etc = c.environment.etc; ports = c.networking.firewall.allowedTCPPorts; };
      off = builtins.attrNames (eval [ { nixfleet.example.required = "x"; } ]).config;
    }`);
    expect(result.on).toEqual({ etc: { example: { text: "9" } }, ports: [9] });
    expect(result.off).not.toContain("environment");
  });

  it("fails like the module system on an undeclared option, a missing value and a wrong type", () => {
    expect(
      evalFailure(`${standin} (eval [ { nixfleet.example.prot = 1; } ]).config.nixfleet.example`),
    ).toContain("The option `nixfleet.example.prot' does not exist.");
    expect(evalFailure(`${standin} (eval [ ]).config.nixfleet.example.required`)).toContain(
      "The option `nixfleet.example.required' is used but not defined.",
    );
    expect(
      evalFailure(
        `${standin} (eval [ { nixfleet.example = { required = "x"; mode = "c"; }; } ]).config.nixfleet.example.mode`,
      ),
    ).toContain('A definition for option `nixfleet.example.mode\' is not of type `one of "a", "b"\'');
    expect(
      evalFailure(
        `${standin} (eval [ { nixfleet.example = { required = "x"; port = 70000; }; } ]).config.nixfleet.example.port`,
      ),
    ).toContain("is not of type `16 bit unsigned integer");
  });

  it("passes through values of options it does not know (other NixOS modules), as written", () => {
    const ssh = evalJson<unknown>(
      `${standin} (eval [ { nixfleet.example.required = "x"; services.openssh = { enable = lib.mkDefault true; ports = [ 22 ]; }; } ]).config.services.openssh`,
    );
    expect(ssh).toEqual({ enable: true, ports: [22] });
  });

  it("the stand-in lib's mkDefault / mkForce / mkIf are nixpkgs' data shapes", () => {
    const shapes = evalJson<unknown>(
      `${standin} { d = lib.mkDefault 1; f = lib.mkForce 2; i = lib.mkIf true 3; m = lib.mkMerge [ 4 ]; }`,
    );
    expect(shapes).toEqual({
      d: { _type: "override", priority: 1000, content: 1 },
      f: { _type: "override", priority: 50, content: 2 },
      i: { _type: "if", condition: true, content: 3 },
      m: { _type: "merge", contents: [4] },
    });
  });
});
