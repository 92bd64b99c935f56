# What every host of the fleet shares: the NixFleet agent, the compliance scope, and the hardening the
# selected controls check. Host files add what is particular to one machine.
{ ... }:
{
  services.nixfleet-agent = {
    enable = true;
    # Where `nixfleet server start` runs (see README.md, step 3).
    controlPlaneUrl = "https://fleet.example.org:8443";
    # Issued by `nixfleet ca issue` on the control plane and copied to the host out of band: keep keys out
    # of the Nix store (these are strings, not Nix paths, on purpose).
    tls = {
      cert = "/var/lib/nixfleet-agent/tls/agent.crt";
      key = "/var/lib/nixfleet-agent/tls/agent.key";
      ca = "/var/lib/nixfleet-agent/tls/ca.crt";
    };
    healthChecks = [
      {
        name = "sshd";
        kind = "systemd";
        unit = "sshd.service";
      }
    ];
  };

  nixfleet.compliance = {
    frameworks = [
      "nis2"
      "anssi-bp028"
    ];
    anssiLevel = "intermediary";
    nis2Entity = "important";
  };

  # Hardening checked by the controls (`nixfleet compliance controls` lists them with their remediation).
  services.openssh = {
    enable = true;
    settings = {
      PermitRootLogin = "no";
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
    };
  };
  networking.firewall.enable = true;
  security.auditd.enable = true;
  security.audit = {
    enable = true;
    rules = [ "-a exit,always -F arch=b64 -S execve" ];
  };
  security.protectKernelImage = true;
  users.mutableUsers = false;
  nix.settings = {
    require-sigs = true;
    trusted-users = [ "root" ];
  };
  boot.kernel.sysctl = {
    "kernel.kptr_restrict" = 2;
    "kernel.dmesg_restrict" = 1;
    "kernel.yama.ptrace_scope" = 1;
    "fs.protected_symlinks" = 1;
    "fs.protected_hardlinks" = 1;
    "fs.protected_fifos" = 2;
    "fs.protected_regular" = 2;
    "fs.suid_dumpable" = 0;
    "net.ipv4.conf.all.rp_filter" = 1;
    "net.ipv4.conf.all.accept_redirects" = 0;
    "net.ipv4.conf.all.send_redirects" = 0;
    "net.ipv4.conf.all.accept_source_route" = 0;
    "net.ipv4.tcp_syncookies" = 1;
  };

  # An administrator who can log in with a key (replace it with yours).
  users.users.admin = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnKey admin@example" ];
  };

  system.stateVersion = "25.05";
}
