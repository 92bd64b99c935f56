{
  description = "NixFleet: compliance-centric fleet management for NixOS and macOS";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    nix-darwin = {
      url = "github:nix-darwin/nix-darwin/nix-darwin-25.05";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  # What of this flake evaluates without nixpkgs (and is tested that way, test/nix/flake.test.ts): lib,
  # nixosModules, darwinModules and templates are plain Nix; only packages.<system> (and the modules' default
  # `package`) need nixpkgs. See docs/nix-guide.md, "What was evaluated where".
  outputs =
    {
      self,
      nixpkgs,
      nix-darwin,
      ...
    }:
    let
      nixfleetLib = import ./nix/lib;
      systems = builtins.attrNames nixfleetLib.platforms;
      forAllSystems =
        f:
        builtins.listToAttrs (
          map (system: {
            name = system;
            value = f system;
          }) systems
        );
    in
    {
      lib = {
        # mkHost with the NixFleet modules injected. A Darwin host uses this flake's nix-darwin input
        # unless the caller passes its own (`nix-darwin = inputs.nix-darwin;`).
        mkHost =
          args:
          nixfleetLib.mkHost {
            nixosModules = [ self.nixosModules.default ];
            darwinModules = [ self.darwinModules.default ];
          } ({ inherit nix-darwin; } // args);
        inherit (nixfleetLib)
          platforms
          agentConfig
          controlPlaneConfig
          compliance
          ;
      };

      # Each module is an attribute set importing its file: `nix flake check` rejects a bare path as a
      # module ("module must be a function or an attribute set"), and through `imports` the module system
      # still keys the file by its path (imported twice, evaluated once) and names it in option locations.
      nixosModules = builtins.mapAttrs (_: file: { imports = [ file ]; }) {
        default = ./nix/modules/nixos/default.nix;
        agent = ./nix/modules/nixos/agent.nix;
        control-plane = ./nix/modules/nixos/control-plane.nix;
        compliance = ./nix/modules/nixos/compliance.nix;
      };

      darwinModules = builtins.mapAttrs (_: file: { imports = [ file ]; }) {
        default = ./nix/modules/darwin/default.nix;
        agent = ./nix/modules/darwin/agent.nix;
        compliance = ./nix/modules/darwin/compliance.nix;
      };

      # The CLI (agent, control plane and every command). Needs nixpkgs; see nix/package.nix for the
      # npmDepsHash that must be filled in once with network access.
      packages = forAllSystems (
        system:
        let
          nixfleet = nixpkgs.legacyPackages.${system}.callPackage ./nix/package.nix { };
        in
        {
          inherit nixfleet;
          default = nixfleet;
        }
      );

      templates.default = {
        path = ./templates/default;
        description = "A NixFleet fleet: two hosts built with mkHost, a governance policy, and a walkthrough";
        welcomeText = ''
          # A NixFleet fleet
          Read README.md: it walks from `nixfleet compliance-check` to a governed rollout.
          First replace the placeholder disks and the control plane URL in hosts/*.nix.
        '';
      };
    };
}
