# NixFleet's pure Nix library: everything here evaluates with builtins alone (no nixpkgs), which is how it
# is tested on machines that cannot fetch nixpkgs. The flake binds mkHost to the NixFleet modules.
{
  /** mkHost factory: `(mkHost { nixosModules; darwinModules; }) { hostName; platform; nixpkgs; … }`. */
  mkHost = import ./mkHost.nix;
  /** Systems NixFleet supports, and their module system ("nixos" or "darwin"). */
  platforms = import ./platforms.nix;
  /** Rendering and checking of /etc/nixfleet/agent.json. */
  agentConfig = import ./agent-config.nix;
  /** Rendering and checking of /etc/nixfleet/server.json (the control plane). */
  controlPlaneConfig = import ./control-plane-config.nix;
  /** Exception checks and the compliance scope of a host. */
  compliance = import ./compliance.nix;
  /** systemd sandbox settings of the NixFleet units. */
  hardening = import ./hardening.nix;
  /** Markdown reference of the modules' options (docs/nix-options.md). */
  optionsDoc = import ./options-doc.nix;
}
