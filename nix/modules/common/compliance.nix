# nixfleet.compliance: the host's compliance scope (frameworks, ANSSI level, NIS2 entity type), its
# declared exceptions, and its facts. Shared by NixOS and nix-darwin (assertions, warnings and
# environment.etc exist in both). Thin wiring: the checks are nix/lib/compliance.nix, the facts are
# nix/facts.nix (the compliance core's pure config → facts function), both evaluated without nixpkgs in
# the tests.
{
  config,
  lib,
  ...
}:
let
  inherit (lib)
    mkOption
    types
    literalExpression
    ;
  cfg = config.nixfleet.compliance;
  compliance = import ../../lib/compliance.nix;
  factsOf = import ../../facts.nix;
  # nix/facts.nix reads host name, system and versions from the config itself; the tags come from mkHost's
  # host spec. The toplevel store path is left out on purpose: facts.json is part of the toplevel, so the
  # facts written into it cannot name it (`nixfleet release create` records the toplevel next to the facts).
  factsMeta = {
    tags = config.nixfleet.hostSpec.tags;
  }
  // lib.optionalAttrs (cfg.lockLastModified != null) { inherit (cfg) lockLastModified; };

  exception = types.submodule {
    options = {
      control = mkOption {
        type = types.str;
        example = "ssh-no-root-login";
        description = "Id of the control that is knowingly not met (the catalog: docs/controls.md; a compliance-check report names each control).";
      };
      rationale = mkOption {
        type = types.str;
        example = "Root login over SSH is needed by the backup appliance; restricted to 10.0.0.5 by firewall rule 12.";
        description = "Why the control cannot be met and what compensates. Mandatory: an empty rationale fails evaluation.";
      };
      approvedBy = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "ciso@example.org";
        description = "Who approved the exception.";
      };
      expires = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "2026-12-31";
        description = "Date (YYYY-MM-DD or RFC 3339) after which the exception should no longer be relied on.";
      };
    };
  };
in
{
  imports = [ ./host-spec.nix ];

  options.nixfleet.compliance = {
    frameworks = mkOption {
      type = types.listOf (types.enum compliance.frameworks);
      default = [ ];
      example = [
        "nis2"
        "anssi-bp028"
      ];
      description = "Frameworks whose controls apply to this host.";
    };

    anssiLevel = mkOption {
      type = types.nullOr (types.enum compliance.anssiLevels);
      default = null;
      example = "intermediary";
      description = "ANSSI BP-028 hardening level the host targets (with framework `anssi-bp028`).";
    };

    nis2Entity = mkOption {
      type = types.nullOr (types.enum compliance.nis2Entities);
      default = null;
      example = "essential";
      description = "NIS2 entity type of the organisation running the host (with framework `nis2`).";
    };

    exceptions = mkOption {
      type = types.listOf exception;
      default = [ ];
      description = "Controls this host knowingly does not meet, each with a mandatory rationale.";
    };

    lockLastModified = mkOption {
      type = types.nullOr types.int;
      default = null;
      example = 1750000000;
      description = "Unix time of the last update of the nixpkgs the host is built from (mkHost sets it from the flake input's `lastModified`). It travels in the facts (`nixfleet.meta.lockLastModified`) so that the checker, which has a clock, can tell how old the lock is (control `updates-lock-fresh`).";
    };

    writeFacts = mkOption {
      type = types.bool;
      default = true;
      description = "Write the facts to /etc/nixfleet/facts.json, where the agent and auditors can read what the host was built as.";
    };

    facts = mkOption {
      type = types.attrsOf types.anything;
      readOnly = true;
      default = factsOf {
        inherit config;
        meta = factsMeta;
      };
      defaultText = literalExpression "import nixfleet/nix/facts.nix { inherit config; meta = { tags = config.nixfleet.hostSpec.tags; lockLastModified = config.nixfleet.compliance.lockLastModified; }; }";
      description = "The host's facts (schemas/facts.schema.json), extracted from this configuration by nix/facts.nix: `nix eval --json .#nixosConfigurations.<host>.config.nixfleet.compliance.facts`.";
    };
  };

  config = {
    assertions = map (message: {
      assertion = false;
      inherit message;
    }) (compliance.problems cfg);

    warnings = compliance.warnings cfg;

    environment.etc = lib.mkIf cfg.writeFacts {
      "nixfleet/facts.json".text = builtins.toJSON cfg.facts;
    };
  };
}
