# services.nixfleet-agent on nix-darwin: the same options and the same /etc/nixfleet/agent.json as on NixOS
# (nix/lib/agent-config.nix), run as a launchd daemon. launchd has no sandbox comparable to systemd's, so
# the hardening here is what launchd offers: a dedicated log, a restricted umask, low priority I/O.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.nixfleet-agent;
  agentConfig = import ../../lib/agent-config.nix;
  platform = "darwin";
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

    environment.etc."nixfleet/agent.json".text = builtins.toJSON (agentConfig.render { inherit cfg platform; });

    # /var/lib does not exist on macOS; the state directory is created before launchd starts the agent.
    system.activationScripts.postActivation.text = ''
      mkdir -p ${lib.escapeShellArg cfg.stateDir}
      chmod 0700 ${lib.escapeShellArg cfg.stateDir}
    '';

    launchd.daemons.nixfleet-agent = {
      # The agent activates generations itself (`<path>/activate`); restarting it during that activation
      # would make it roll back an unconfirmed generation, which is why launchd only restarts it on exit.
      serviceConfig = {
        Label = "org.nixfleet.agent";
        ProgramArguments = [
          "${cfg.package}/bin/nixfleet"
          "agent"
          "--config"
          configFile
        ];
        RunAtLoad = true;
        KeepAlive = true;
        ThrottleInterval = 5;
        # SIGTERM, then this long before SIGKILL: the agent's shutdown deadline plus margin.
        ExitTimeOut = 30;
        Umask = 63; # 0077
        StandardOutPath = "/var/log/nixfleet-agent.log";
        StandardErrorPath = "/var/log/nixfleet-agent.log";
        EnvironmentVariables = {
          NIX_REMOTE = "daemon";
          HOME = cfg.stateDir;
          # nix for copy/nix-env; flock(1) for the switch lock, which macOS does not ship (nixpkgs' flock
          # is the portable implementation of the same command line).
          PATH = lib.concatStringsSep ":" [
            "${config.nix.package}/bin"
            "${pkgs.flock}/bin"
            "/usr/bin"
            "/bin"
            "/usr/sbin"
            "/sbin"
          ];
        };
      };
    };
  };
}
