{
  description = "A NixFleet fleet: two NixOS hosts, governed by policy.json";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    # Point this at wherever you take NixFleet from (upstream, a fork, or a local checkout such as
    # "path:/src/nixfleet"). Its nixpkgs follows yours, so the fleet is built from one nixpkgs.
    nixfleet = {
      url = "github:nixfleet/nixfleet";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      nixfleet,
      ...
    }:
    let
      inherit (nixfleet.lib) mkHost;
    in
    {
      # Each host is a plain nixosSystem: `nixos-rebuild switch --flake .#web-1` and nixos-anywhere work on it.
      nixosConfigurations = {
        web-1 = mkHost {
          hostName = "web-1";
          platform = "x86_64-linux";
          inherit nixpkgs;
          # Tags select hosts in rollouts (the canary batch) and waivers; environment selects policy modes.
          hostSpec = {
            tags = [
              "web"
              "canary"
            ];
            environment = "production";
          };
          modules = [
            ./hosts/common.nix
            ./hosts/web-1.nix
          ];
        };

        db-1 = mkHost {
          hostName = "db-1";
          platform = "x86_64-linux";
          inherit nixpkgs;
          hostSpec = {
            tags = [ "db" ];
            environment = "production";
          };
          modules = [
            ./hosts/common.nix
            ./hosts/db-1.nix
          ];
        };
      };

      # A Mac joins the same fleet through nix-darwin (add the nix-darwin input first):
      # darwinConfigurations.mac-1 = mkHost {
      #   hostName = "mac-1"; platform = "aarch64-darwin"; inherit nixpkgs;
      #   nix-darwin = inputs.nix-darwin;
      #   modules = [ { services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://fleet.example.org:8443"; }; } ];
      # };
    };
}
