# systemd sandboxing for the NixFleet units, as plain attribute sets (pure: evaluated and checked in tests
# without nixpkgs). The modules apply every value with mkDefault, so a site can loosen or tighten any one
# of them with a plain definition.
#
# Why the agent can be sandboxed at all, although it installs whole systems: it never activates a generation
# inside its own sandbox. Its default activation command is
#   systemd-run --unit=nixfleet-switch --collect -- <path>/bin/switch-to-configuration switch
# so PID 1 starts switch-to-configuration as a fresh transient unit with no sandbox (activation must write
# /etc, /boot, /run/current-system and restart units, none of which a sandboxed service could). What the
# agent process itself does is:
#   - fetch store paths: `nix copy` as a client of nix-daemon (NIX_REMOTE=daemon), so /nix/store stays
#     read-only for the agent; connecting to the daemon's Unix socket works on a read-only mount;
#   - switch the profile: `nix-env -p /nix/var/nix/profiles/system --set <path>` writes the generation
#     links, hence ReadWritePaths for /nix/var/nix/profiles (GC roots are registered through the daemon);
#   - ask PID 1 to run the switch: systemd-run as root talks to PID 1 over /run/systemd/private, a
#     root-only Unix socket on which every client counts as privileged, so no capability is needed;
#   - read /run/current-system;
#   - keep its SQLite state and outbox in its state directory, its switch lock in /run/nixfleet;
#   - read /proc and /sys for runtime evidence (read-only is enough);
#   - talk HTTPS to the control plane and to the binary cache.
{
  /** serviceConfig for the agent (root, because profile switching and systemd-run need it). */
  agent =
    { stateDir }:
    {
      # The one write area outside /nix/var/nix/profiles and the state directory: the switch lock
      # (/run/nixfleet/switch.lock, see agent-config's switchLockPath).
      RuntimeDirectory = "nixfleet";
      RuntimeDirectoryPreserve = "yes";
      StateDirectory = "nixfleet-agent";
      StateDirectoryMode = "0700";
      CacheDirectory = "nixfleet-agent";
      ProtectSystem = "strict";
      ReadWritePaths = [
        "/nix/var/nix/profiles"
        stateDir
      ];
      ProtectHome = true;
      PrivateTmp = true;
      # /dev/null, /dev/urandom and friends are all nix and node need.
      PrivateDevices = true;
      NoNewPrivileges = true;
      # The agent reads kernel tunables and logs as evidence but never writes them.
      ProtectKernelTunables = true;
      ProtectKernelModules = true;
      ProtectKernelLogs = true;
      ProtectControlGroups = true;
      ProtectClock = true;
      ProtectHostname = true;
      # Unit states and listening sockets are read from /proc, so processes stay visible
      # (ProtectProc=invisible would hide other users' processes from the runtime collectors).
      ProtectProc = "default";
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      LockPersonality = true;
      # Node's JIT needs writable and executable memory: MemoryDenyWriteExecute would crash the agent.
      MemoryDenyWriteExecute = false;
      # AF_UNIX: nix-daemon and D-Bus; AF_INET(6): control plane and cache; AF_NETLINK: interface
      # addresses for the runtime report.
      RestrictAddressFamilies = [
        "AF_UNIX"
        "AF_INET"
        "AF_INET6"
        "AF_NETLINK"
      ];
      SystemCallArchitectures = "native";
      # The nix client raises its stack limit (setrlimit) and root's tools may chown: keep the broad
      # @system-service set, and make any call outside it fail with EPERM rather than kill the agent.
      SystemCallFilter = [ "@system-service" ];
      SystemCallErrorNumber = "EPERM";
      # Everything privileged happens in nix-daemon or PID 1; the agent, root by uid, owns what it writes
      # (profiles, state) and needs no capability. Command health checks run with these limits too: a check
      # that needs a capability belongs in a systemd unit checked with kind = "systemd".
      CapabilityBoundingSet = [ "" ];
      AmbientCapabilities = [ "" ];
      UMask = "0077";
    };

  /** serviceConfig for the control plane (an unprivileged, dynamically allocated user). */
  controlPlane =
    { bindsPrivilegedPort }:
    {
      DynamicUser = true;
      StateDirectory = "nixfleet-control-plane";
      StateDirectoryMode = "0700";
      ProtectSystem = "strict";
      ProtectHome = true;
      PrivateTmp = true;
      PrivateDevices = true;
      PrivateUsers = !bindsPrivilegedPort;
      NoNewPrivileges = true;
      ProtectKernelTunables = true;
      ProtectKernelModules = true;
      ProtectKernelLogs = true;
      ProtectControlGroups = true;
      ProtectClock = true;
      ProtectHostname = true;
      ProtectProc = "invisible";
      ProcSubset = "pid";
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      LockPersonality = true;
      # Node's JIT needs writable and executable memory.
      MemoryDenyWriteExecute = false;
      RestrictAddressFamilies = [
        "AF_UNIX"
        "AF_INET"
        "AF_INET6"
      ];
      SystemCallArchitectures = "native";
      SystemCallFilter = [
        "@system-service"
        "~@privileged"
      ];
      SystemCallErrorNumber = "EPERM";
      # Only a port below 1024 needs a capability, and then only that one.
      CapabilityBoundingSet = if bindsPrivilegedPort then [ "CAP_NET_BIND_SERVICE" ] else [ "" ];
      AmbientCapabilities = if bindsPrivilegedPort then [ "CAP_NET_BIND_SERVICE" ] else [ "" ];
      UMask = "0077";
    };
}
