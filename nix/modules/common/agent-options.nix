# The option declarations of services.nixfleet-agent, shared by the NixOS and nix-darwin modules so both
# render the same /etc/nixfleet/agent.json (nix/lib/agent-config.nix). `platform` only changes texts and
# the health-check kinds offered.
{
  lib,
  pkgs,
  config,
  platform,
}:
let
  inherit (lib)
    mkOption
    mkEnableOption
    types
    literalExpression
    ;
  healthCheckSchema = builtins.fromJSON (builtins.readFile ../../../schemas/health-check.schema.json);
  serviceManagerKind = if platform == "darwin" then "launchd" else "systemd";

  # A health check mirrors schemas/health-check.schema.json field by field; unset fields are left out of
  # the rendered file so that the agent's documented defaults apply.
  optionalField =
    type: description:
    mkOption {
      type = types.nullOr type;
      default = null;
      inherit description;
    };
  healthCheck = types.submodule {
    options = {
      name = mkOption {
        type = types.strMatching ".{1,128}";
        example = "sshd";
        description = "Name of the check (1 to 128 characters, unique on the host); reported with its result.";
      };
      kind = mkOption {
        type = types.enum healthCheckSchema.properties.kind.enum;
        example = serviceManagerKind;
        description = "What to check: a ${serviceManagerKind} job, an HTTP endpoint, a TCP port or a command's exit code.";
      };
      unit = optionalField types.str "systemd unit that must be active (kind `systemd`), e.g. `sshd.service`.";
      label = optionalField types.str "launchd job label that must be running (kind `launchd`).";
      url = optionalField types.str "URL to fetch (kind `http`).";
      expectStatus = optionalField (types.ints.between 100 599) "HTTP status that passes (kind `http`; agent default 200).";
      bodyMatch = optionalField types.str "Regular expression the HTTP body must match (kind `http`).";
      insecureTls = optionalField types.bool "Skip TLS verification (kind `http`; agent default false).";
      caFile = optionalField types.str "CA file to verify the HTTPS endpoint with (kind `http`).";
      host = optionalField types.str "Host to connect to (kind `tcp`).";
      port = optionalField types.port "Port to connect to (kind `tcp`).";
      command = optionalField (types.listOf types.str) "argv to run (kind `command`); passes when it exits with `expectExit`.";
      expectExit = optionalField types.int "Exit code that passes (kind `command`; agent default 0).";
      timeoutMs = optionalField types.ints.positive "Limit for one attempt, in milliseconds (agent default 5000).";
      intervalMs = optionalField types.ints.unsigned "Pause between attempts, in milliseconds (agent default 1000).";
      retries = optionalField types.ints.unsigned "Attempts after the first (agent default 3).";
      initialDelayMs = optionalField types.ints.unsigned "Wait before the first attempt, in milliseconds (agent default 0).";
      failureThreshold = optionalField types.ints.positive "Consecutive failures that fail the check (agent default 3).";
    };
  };
in
{
  enable = mkEnableOption "the NixFleet agent, which applies the generations the control plane assigns, runs health checks, confirms or rolls back, and reports runtime evidence";

  package = mkOption {
    type = types.package;
    default = pkgs.callPackage ../../package.nix { };
    defaultText = literalExpression "pkgs.callPackage (nixfleet + \"/nix/package.nix\") { } # the CLI of the NixFleet flake, built with this host's nixpkgs";
    description = "The `nixfleet` package whose `nixfleet agent --config /etc/nixfleet/agent.json` is started.";
  };

  controlPlaneUrl = mkOption {
    type = types.str;
    example = "https://fleet.example.org:8443";
    description = "Base URL of the control plane (`https://` with mTLS; `http://` only on loopback).";
  };

  machineId = mkOption {
    type = types.str;
    default = config.networking.hostName;
    defaultText = literalExpression "config.networking.hostName";
    description = "Machine id registered on the control plane; the CN of the agent's certificate.";
  };

  tags = mkOption {
    type = types.listOf types.str;
    default = config.nixfleet.hostSpec.tags;
    defaultText = literalExpression "config.nixfleet.hostSpec.tags";
    description = "Tags the agent reports with its status (rollout batches and waivers select hosts by tag).";
  };

  pollInterval = mkOption {
    type = types.ints.positive;
    default = 30;
    description = "Seconds between polls for a desired generation when the control plane gives no hint.";
  };

  cacheUrl = mkOption {
    type = types.nullOr types.str;
    default = null;
    example = "https://cache.example.org";
    description = "Binary cache (`file://` or `http(s)://`) the agent fetches missing store paths from; a release's own cache URL wins.";
  };

  cachePublicKeys = mkOption {
    type = types.listOf types.str;
    default = [ ];
    example = [ "cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
    description = "Public keys (`name:base64`) that must have signed the store paths the agent fetches.";
  };

  tls = mkOption {
    type = types.nullOr (
      types.submodule {
        options = {
          cert = mkOption {
            type = types.str;
            description = "Client certificate (PEM) from `nixfleet ca issue`.";
          };
          key = mkOption {
            type = types.str;
            description = "Client private key (PEM). A path as a string, so the key never enters the Nix store.";
          };
          ca = mkOption {
            type = types.str;
            description = "CA certificate (PEM) the control plane's certificate chains to.";
          };
        };
      }
    );
    default = null;
    example = literalExpression ''
      {
        cert = "/var/lib/nixfleet-agent/tls/agent.crt";
        key = "/var/lib/nixfleet-agent/tls/agent.key";
        ca = "/var/lib/nixfleet-agent/tls/ca.crt";
      }'';
    description = "mTLS identity of the agent. Paths are strings on purpose: secrets stay out of the world-readable Nix store.";
  };

  tokenFile = mkOption {
    type = types.nullOr types.str;
    default = null;
    description = "File holding a bearer token of role `agent` (instead of, or in addition to, mTLS).";
  };

  healthChecks = mkOption {
    type = types.listOf healthCheck;
    default = [ ];
    example = literalExpression ''
      [
        { name = "sshd"; kind = "${serviceManagerKind}"; ${
          if platform == "darwin" then ''label = "com.openssh.sshd";'' else ''unit = "sshd.service";''
        } }
        { name = "web"; kind = "http"; url = "http://127.0.0.1/health"; expectStatus = 200; }
        { name = "db"; kind = "tcp"; host = "127.0.0.1"; port = 5432; }
      ]'';
    description = "Checks run after every switch (in addition to those of the release); a failure rolls the host back.";
  };

  confirmWindow = mkOption {
    type = types.ints.positive;
    default = 600;
    description = "Seconds from a switch to a confirmation accepted by the control plane; past it the agent rolls back.";
  };

  stateDir = mkOption {
    type = types.str;
    default = "/var/lib/nixfleet-agent";
    description = "Directory of the agent's SQLite state and outbox.";
  };

  logLevel = mkOption {
    type = types.enum [
      "debug"
      "info"
      "warn"
      "error"
      "silent"
    ];
    default = "info";
    description = "Log level of the agent.";
  };

  settings = mkOption {
    type = types.attrsOf types.anything;
    default = { };
    example = {
      jitter = 0.2;
      onInconclusive = "confirm";
    };
    description = "Further keys of the agent configuration (schemas/agent-config.schema.json), written as they are and winning over the options above. Unknown keys fail evaluation.";
  };
}
