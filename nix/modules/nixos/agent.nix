# services.nixfleet-agent on NixOS: thin wiring around nix/lib/agent-config.nix (the file) and
# nix/lib/hardening.nix (the sandbox). The options are shared with nix-darwin (../common/agent-options.nix).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.nixfleet-agent;
  agentConfig = import ../../lib/agent-config.nix;
  hardening = import ../../lib/hardening.nix;
  platform = "nixos";
  configFile = "/etc/nixfleet/agent.json";
in
{
  imports = [ ../common/host-spec.nix ];

  options.services.nixfleet-agent = import ../common/agent-options.nix {
    inherit
      lib
      pkgs
      config
      platform
      ;
  };

  config = lib.mkIf cfg.enable {
    assertions = map (message: {
      assertion = false;
      inherit message;
    }) (agentConfig.problems { inherit cfg platform; });

    environment.etc."nixfleet/agent.json" = {
      text = builtins.toJSON (agentConfig.render { inherit cfg platform; });
      # Holds no secret (keys are referenced by path), but only root needs it.
      mode = "0400";
    };

    systemd.services.nixfleet-agent = {
      description = "NixFleet agent";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [
        "network-online.target"
        "nix-daemon.socket"
      ];
      # The agent drives switch-to-configuration itself. Restarting it in the middle of that switch would
      # make it find an unconfirmed generation and roll back (see agent/state-machine.ts), so a new agent
      # package or agent.json takes effect at the next boot or `systemctl restart nixfleet-agent`, never
      # during the switch that installed it.
      restartIfChanged = false;
      # nix (copy, nix-env), systemd-run for the detached switch, flock for the switch lock.
      path = [
        config.nix.package
        config.systemd.package
        pkgs.util-linux
        pkgs.coreutils
      ];
      environment = {
        # Go through nix-daemon so /nix/store can stay read-only inside the sandbox.
        NIX_REMOTE = "daemon";
        # ProtectHome hides /root: nix's caches and the agent's home live in its own directories.
        HOME = cfg.stateDir;
        XDG_CACHE_HOME = "/var/cache/nixfleet-agent";
      };
      serviceConfig = lib.mapAttrs (_: lib.mkDefault) (hardening.agent { inherit (cfg) stateDir; }) // {
        Type = "simple";
        ExecStart = "${cfg.package}/bin/nixfleet agent --config ${configFile}";
        Restart = "always";
        RestartSec = 5;
        # SIGTERM lets the agent finish or abandon its step (shutdownDeadlineMs, 10 s by default).
        TimeoutStopSec = 30;
      };
    };
  };
}
