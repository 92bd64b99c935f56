# Every NixFleet nix-darwin module. mkHost adds this to every Darwin host.
{
  imports = [
    ../common/host-spec.nix
    ./agent.nix
    ./compliance.nix
  ];
}
