# nixfleet.compliance on nix-darwin (the module is shared with NixOS: ../common/compliance.nix).
{
  imports = [ ../common/compliance.nix ];
}
