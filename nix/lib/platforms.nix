# The systems NixFleet builds hosts for, and which module system each one uses. Pure data, shared by
# mkHost, the flake's per-system outputs and the facts schema (nixfleet.meta.system has the same list).
{
  "x86_64-linux" = "nixos";
  "aarch64-linux" = "nixos";
  "x86_64-darwin" = "darwin";
  "aarch64-darwin" = "darwin";
}
