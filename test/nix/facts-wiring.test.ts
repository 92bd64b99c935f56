/**
 * nixfleet.compliance.facts is the compliance core's nix/facts.nix applied to the host's configuration, and
 * /etc/nixfleet/facts.json is that document: evaluated by real Nix through the module (stand-in module
 * evaluator) on the compliance core's hardened fixture host, then validated with the TypeScript facts schema.
 */
import { describe, expect, it } from "vitest";
import type { Facts } from "../../schemas/generated/facts.js";
import { validate } from "../../schemas/registry.js";
import { evalFailure, evalJson, repoPath, withPrelude } from "./nix.js";

// The compliance core's fixture: { meta; config } shaped like nixosConfigurations.web-01.config.
const fixture = `(import ${repoPath("nix/tests/fixtures/hardened.nix")})`;

function host(extraModule = "{ }"): string {
  return withPrelude(`let
    recorded = flakeOutputs.lib.mkHost {
      hostName = "web-01"; platform = "x86_64-linux"; nixpkgs = recordingNixpkgs;
      hostSpec.tags = [ "production" "web" ];
      modules = [
        (standinPkgs.hostBase "x86_64-linux")
        ${fixture}.config
        (${extraModule})
      ];
    };
  in standinEval.evalModules { pkgs = standinPkgs; modules = recorded.args.modules; }`);
}

describe("facts wiring of the compliance module", () => {
  const result = evalJson<{ moduleFacts: Facts; direct: Facts; fileText: string; raw: Facts }>(
    `let evaluated = ${host()}; in {
      moduleFacts = evaluated.config.nixfleet.compliance.facts;
      direct = import ${repoPath("nix/facts.nix")} { config = evaluated.config; meta.tags = [ "production" "web" ]; };
      fileText = evaluated.config.environment.etc."nixfleet/facts.json".text;
      raw = import ${repoPath("nix/facts.nix")} { inherit (${fixture}) config; meta.tags = [ "production" "web" ]; };
    }`,
  );

  it("equals nix/facts.nix applied to the host's evaluated config, with the host spec's tags", () => {
    expect(result.moduleFacts).toEqual(result.direct);
    expect(result.moduleFacts.nixfleet.meta).toMatchObject({
      hostName: "web-01",
      system: "x86_64-linux",
      platform: "nixos",
      tags: ["production", "web"],
    });
  });

  it("loses and invents nothing: on the fixture host it equals nix/facts.nix applied to the fixture itself", () => {
    expect(result.moduleFacts).toEqual(result.raw);
  });

  it("carries the exceptions a host module declares, with unset fields as null", () => {
    const compliance = evalJson<unknown>(
      `(${host(`{ nixfleet.compliance.exceptions = [ { control = "boot-loader-protected"; rationale = "Locked rack, console only via authenticated OOB."; } ]; }`)}).config.nixfleet.compliance.facts.nixfleet.compliance`,
    );
    expect(compliance).toEqual({
      frameworks: ["nis2", "anssi-bp028", "iso27001"],
      anssiLevel: "enhanced",
      nis2Entity: "essential",
      exceptions: [
        {
          control: "boot-loader-protected",
          rationale: "Locked rack, console only via authenticated OOB.",
          approvedBy: null,
          expires: null,
        },
      ],
    });
  });

  it("writes the same document to /etc/nixfleet/facts.json, valid against the facts schema, without the toplevel", () => {
    const written = JSON.parse(result.fileText) as unknown;
    expect(written).toEqual(result.moduleFacts);
    const facts = validate<Facts>("facts", written, "/etc/nixfleet/facts.json");
    // facts.json is part of the toplevel, so it cannot name it (nix/facts.nix's includeToplevel stays off).
    expect(facts.nixfleet.meta.toplevel).toBeUndefined();
  });

  it("is read-only: a host cannot set its own facts", () => {
    const failure = evalFailure(
      `(${host(`{ nixfleet.compliance.facts = { nixfleet.meta.hostName = "forged"; }; }`)}).config.nixfleet.compliance.facts`,
    );
    expect(failure).toContain("The option `nixfleet.compliance.facts' is read-only");
  });

  it("is not written when writeFacts is off", () => {
    const etc = evalJson<string[]>(
      `builtins.attrNames ((${host(`{ nixfleet.compliance.writeFacts = false; }`)}).config.environment.etc or { })`,
    );
    expect(etc).not.toContain("nixfleet/facts.json");
  });

  it("works the same on nix-darwin: a Mac's facts through darwinModules are nix/facts.nix on the darwin fixture plus the default scope", () => {
    const darwin = evalJson<{ moduleFacts: Facts; raw: Facts; recordedBy: string }>(
      withPrelude(`let
        darwinFixture = import ${repoPath("nix/tests/fixtures/darwin.nix")};
        recorded = flakeOutputs.lib.mkHost {
          hostName = "mac-01"; platform = "aarch64-darwin"; nixpkgs = recordingNixpkgs; nix-darwin = recordingNixDarwin;
          hostSpec.tags = [ "workstation" ];
          modules = [ (standinPkgs.hostBase "aarch64-darwin") darwinFixture.config ];
        };
        evaluated = standinEval.evalModules { pkgs = standinPkgs; modules = recorded.args.modules; };
      in {
        inherit (recorded) recordedBy;
        moduleFacts = builtins.fromJSON evaluated.config.environment.etc."nixfleet/facts.json".text;
        raw = import ${repoPath("nix/facts.nix")} { inherit (darwinFixture) config; meta.tags = [ "workstation" ]; };
      }`),
    );
    expect(darwin.recordedBy).toBe("darwinSystem");
    // The fixture sets no compliance scope; the module contributes its declared defaults, nothing else.
    const { compliance, ...moduleNixfleet } = darwin.moduleFacts.nixfleet;
    expect({ ...darwin.moduleFacts, nixfleet: moduleNixfleet }).toEqual(darwin.raw);
    expect(compliance).toEqual({ frameworks: [], anssiLevel: null, nis2Entity: null, exceptions: [] });
    const facts = validate<Facts>("facts", darwin.moduleFacts, "mac-01 facts.json");
    expect(facts.nixfleet.meta).toMatchObject({
      hostName: "mac-01",
      system: "aarch64-darwin",
      platform: "darwin",
    });
  });
});
