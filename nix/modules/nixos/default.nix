# Every NixFleet NixOS module; each one does nothing until enabled (the compliance module only declares
# options, checks exceptions and writes /etc/nixfleet/facts.json). mkHost adds this to every NixOS host.
{
  imports = [
    ../common/host-spec.nix
    ./agent.nix
    ./control-plane.nix
    ./compliance.nix
  ];
}
