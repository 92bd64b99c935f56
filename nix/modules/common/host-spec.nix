# nixfleet.hostSpec: what mkHost knows about a host (its tags, its environment, anything else a fleet wants
# to attach), set by mkHost with mkDefault. Shared by the NixOS and nix-darwin modules.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.nixfleet.hostSpec = mkOption {
    description = ''
      Facts about this host that NixFleet uses: `tags` (the agent reports them; rollout policies and waivers
      select hosts by them) and `environment` (policy modes match it). `mkHost { hostSpec = …; }` sets every
      value with `mkDefault`; any other attribute is kept as free-form data for your own modules.
    '';
    default = { };
    type = types.submodule {
      freeformType = types.attrsOf types.anything;
      options = {
        tags = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [
            "canary"
            "web"
          ];
          description = "Tags of this host (at most 64, each at most 64 characters, as the agent reports them).";
        };
        environment = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "production";
          description = "Environment name that the governance policy's `modes` can match.";
        };
      };
    };
  };
}
