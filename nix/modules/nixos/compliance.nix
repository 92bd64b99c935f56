# nixfleet.compliance on NixOS (the module is shared with nix-darwin: ../common/compliance.nix).
{
  imports = [ ../common/compliance.nix ];
}
