# services.nixfleet-control-plane: the NixFleet API server (REST, SQLite) as a hardened systemd service.
# Thin wiring around nix/lib/control-plane-config.nix (the file, the credentials) and
# nix/lib/hardening.nix (the sandbox).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    mkOption
    mkEnableOption
    types
    literalExpression
    ;
  cfg = config.services.nixfleet-control-plane;
  serverConfig = import ../../lib/control-plane-config.nix;
  hardening = import ../../lib/hardening.nix;
  configFile = "/etc/nixfleet/server.json";
in
{
  options.services.nixfleet-control-plane = {
    enable = mkEnableOption "the NixFleet control plane (REST API, rollout scheduler, evidence store)";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ../../package.nix { };
      defaultText = literalExpression "pkgs.callPackage (nixfleet + \"/nix/package.nix\") { } # the CLI of the NixFleet flake, built with this host's nixpkgs";
      description = "The `nixfleet` package whose `nixfleet server start` is run.";
    };

    listen = {
      address = mkOption {
        type = types.str;
        default = "0.0.0.0";
        example = "127.0.0.1";
        description = "Address the API listens on.";
      };
      port = mkOption {
        type = types.port;
        default = 8443;
        description = "TCP port the API listens on (below 1024 grants the service CAP_NET_BIND_SERVICE, nothing else).";
      };
    };

    agentListen = mkOption {
      type = types.nullOr (
        types.submodule {
          options = {
            address = mkOption {
              type = types.str;
              default = "0.0.0.0";
              example = "10.0.0.5";
              description = "Address the agent listener listens on.";
            };
            port = mkOption {
              type = types.port;
              example = 8444;
              description = "TCP port of the agent listener; must differ from `listen.port`.";
            };
          };
        }
      );
      default = null;
      example = literalExpression "{ address = \"0.0.0.0\"; port = 8444; }";
      description = "A port for agents only (`agentListen` in the server configuration, see docs/adr/0840): its TLS handshake refuses any client without a certificate signed by `clientCa`, and it serves only the agent endpoints and /healthz. When set, `listen` serves people only and asks for no client certificate. Needs `tls` and `clientCa`.";
    };

    dbPath = mkOption {
      type = types.str;
      default = "${serverConfig.stateDir}/nixfleet.db";
      description = "SQLite database file; must lie in ${serverConfig.stateDir}, the service's state directory.";
    };

    tls = mkOption {
      type = types.nullOr (
        types.submodule {
          options = {
            cert = mkOption {
              type = types.str;
              description = "Server certificate (PEM), e.g. from `nixfleet ca issue --server`.";
            };
            key = mkOption {
              type = types.str;
              description = "Server private key (PEM); a string path so it never enters the Nix store.";
            };
          };
        }
      );
      default = null;
      description = "TLS for the API. Without it the server speaks plain HTTP (only sensible behind a TLS proxy or on loopback).";
    };

    clientCa = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/var/lib/secrets/nixfleet/ca.crt";
      description = "CA (PEM) that signs agent certificates; set it to authenticate agents by mTLS.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open `listen.port` (and `agentListen.port` when set) in the NixOS firewall.";
    };

    settings = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      description = "Further keys of the server configuration (schemas/server-config.schema.json), written as they are and winning over the options above.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = map (message: {
      assertion = false;
      inherit message;
    }) (serverConfig.problems cfg);

    environment.etc."nixfleet/server.json".text = builtins.toJSON (serverConfig.render cfg);

    networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall (serverConfig.ports cfg);

    systemd.services.nixfleet-control-plane = {
      description = "NixFleet control plane";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      restartTriggers = [ (builtins.toJSON (serverConfig.render cfg)) ];
      serviceConfig =
        lib.mapAttrs (_: lib.mkDefault) (hardening.controlPlane {
          bindsPrivilegedPort = builtins.any (port: port < 1024) (serverConfig.ports cfg);
        })
        // {
          Type = "simple";
          # The server applies pending database migrations before it serves.
          ExecStart = "${cfg.package}/bin/nixfleet server start --config ${configFile}";
          LoadCredential = serverConfig.loadCredentials cfg;
          Restart = "on-failure";
          RestartSec = 5;
          TimeoutStopSec = 30;
        };
    };
  };
}
