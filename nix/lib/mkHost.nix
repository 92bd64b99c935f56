# mkHost: one host of a fleet as a standard nixosSystem or darwinSystem, with the NixFleet modules in it.
# The result is what nixpkgs / nix-darwin return, so nixos-rebuild, nixos-anywhere and darwin-rebuild work
# on it unchanged; mkHost adds no module system of its own.
#
# Usage (the flake binds the first argument; see flake.nix):
#   nixfleet.lib.mkHost {
#     hostName = "web-1";
#     platform = "x86_64-linux";        # or aarch64-linux, x86_64-darwin, aarch64-darwin
#     inherit nixpkgs;                   # the nixpkgs flake input: mkHost calls nixpkgs.lib.nixosSystem
#     nix-darwin = inputs.nix-darwin;    # only for Darwin hosts: mkHost calls nix-darwin.lib.darwinSystem
#     hostSpec = { tags = [ "canary" ]; environment = "production"; };
#     modules = [ ./hosts/web-1.nix ];
#   }
# Everything else (specialArgs, …) is passed through to nixosSystem / darwinSystem as it is.
#
# What mkHost needs from its inputs, and nothing more: nixpkgs.lib.nixosSystem (Linux),
# nix-darwin.lib.darwinSystem (Darwin), nixpkgs.lib.mkDefault (every value it sets is a default, so any
# module of the host overrides it with a plain definition) and, when present, nixpkgs.lastModified (what a
# flake input carries).
{
  nixosModules,
  darwinModules,
}:
{
  hostName,
  platform,
  nixpkgs,
  nix-darwin ? null,
  modules ? [ ],
  hostSpec ? { },
  ...
}@args:
let
  platforms = import ./platforms.nix;
  known = builtins.concatStringsSep ", " (builtins.attrNames platforms);
  kind =
    platforms.${platform}
      or (throw "nixfleet.lib.mkHost: host \"${hostName}\": unknown platform \"${toString platform}\"; use one of ${known}.");

  mkDefault =
    nixpkgs.lib.mkDefault
      or (throw "nixfleet.lib.mkHost: host \"${hostName}\": `nixpkgs` must be the nixpkgs flake input (it has no lib.mkDefault); pass `inherit nixpkgs;`.");

  checked =
    if !(builtins.isString hostName) || builtins.match "[A-Za-z0-9][A-Za-z0-9.-]{0,252}" hostName == null then
      throw "nixfleet.lib.mkHost: hostName ${builtins.toJSON hostName} is not a host name; use letters, digits, '-' and '.', starting with a letter or digit."
    else if !(builtins.isList modules) then
      throw "nixfleet.lib.mkHost: host \"${hostName}\": `modules` must be a list of modules, e.g. [ ./hosts/${hostName}.nix ]."
    else if !(builtins.isAttrs hostSpec) then
      throw "nixfleet.lib.mkHost: host \"${hostName}\": `hostSpec` must be an attribute set, e.g. { tags = [ \"web\" ]; }."
    else
      true;

  # The module mkHost adds: name, platform and host spec, all overridable; and, when nixpkgs is a flake
  # input, when it was last updated (the facts carry it so the checker can tell how old the lock is).
  hostModule = {
    networking.hostName = mkDefault hostName;
    nixpkgs.hostPlatform = mkDefault platform;
    nixfleet.hostSpec = builtins.mapAttrs (_: mkDefault) hostSpec;
  }
  // (
    if nixpkgs ? lastModified then
      { nixfleet.compliance.lockLastModified = mkDefault nixpkgs.lastModified; }
    else
      { }
  );

  passedThrough = builtins.removeAttrs args [
    "hostName"
    "platform"
    "nixpkgs"
    "nix-darwin"
    "modules"
    "hostSpec"
  ];

  # NixFleet's modules first, then the host module, then the user's: later modules read best in error
  # traces, and order does not decide priority in the module system (mkDefault does).
  modulesFor = fleetModules: fleetModules ++ [ hostModule ] ++ modules;
in
assert checked;
if kind == "nixos" then
  (nixpkgs.lib.nixosSystem or (throw "nixfleet.lib.mkHost: host \"${hostName}\": `nixpkgs` has no lib.nixosSystem; pass the nixpkgs flake input."))
    (passedThrough // { modules = modulesFor nixosModules; })
else if nix-darwin == null then
  throw "nixfleet.lib.mkHost: host \"${hostName}\" is a Darwin host (${platform}) and needs nix-darwin: add the nix-darwin flake input and pass `nix-darwin = inputs.nix-darwin;` to mkHost."
else
  (nix-darwin.lib.darwinSystem or (throw "nixfleet.lib.mkHost: host \"${hostName}\": `nix-darwin` has no lib.darwinSystem; pass the nix-darwin flake input."))
    (passedThrough // { modules = modulesFor darwinModules; })
