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

  # Hardening checked by the controls (NixFleet's docs/controls.md lists them; a failing control in the
  # compliance-check report names the option to set).
  services.openssh = {
    enable = true;
    settings = {
      PermitRootLogin = "no";
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      X11Forwarding = false;
      MaxAuthTries = 3;
      ClientAliveInterval = 300;
      ClientAliveCountMax = 2;
      Ciphers = [
        "chacha20-poly1305@openssh.com"
        "aes256-gcm@openssh.com"
        "aes128-gcm@openssh.com"
      ];
      KexAlgorithms = [
        "sntrup761x25519-sha512@openssh.com"
        "curve25519-sha256"
      ];
      Macs = [
        "hmac-sha2-512-etm@openssh.com"
        "hmac-sha2-256-etm@openssh.com"
      ];
    };
  };
  services.timesyncd.enable = true;
  services.journald.extraConfig = ''
    Storage=persistent
    SystemMaxUse=4G
    MaxRetentionSec=1year
  '';
  # /tmp in RAM and without exec rights (NixOS's own tmp.mount leaves noexec off because builds run in /tmp,
  # so the Nix daemon builds in /var/tmp instead).
  fileSystems."/tmp" = {
    device = "tmpfs";
    fsType = "tmpfs";
    options = [
      "mode=1777"
      "nosuid"
      "nodev"
      "noexec"
      "size=2G"
    ];
  };
  systemd.services.nix-daemon.environment.TMPDIR = "/var/tmp";
  boot.kernelParams = [
    "slab_nomerge"
    "page_alloc.shuffle=1"
    "pti=on"
    "init_on_free=1"
  ];
  # Nightly backups of service state (replace the repository and provide the password file).
  services.restic.backups.daily = {
    repository = "sftp:backup@backup.example.org:/srv/restic/fleet";
    passwordFile = "/var/lib/secrets/restic-password";
    initialize = true;
    paths = [ "/var/lib" ];
    timerConfig.OnCalendar = "daily";
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
    "kernel.kexec_load_disabled" = 1;
    "kernel.unprivileged_bpf_disabled" = 1;
    "kernel.perf_event_paranoid" = 3;
    "kernel.randomize_va_space" = 2;
    "kernel.sysrq" = 0;
    "kernel.yama.ptrace_scope" = 1;
    "net.core.bpf_jit_harden" = 2;
    "fs.protected_symlinks" = 1;
    "fs.protected_hardlinks" = 1;
    "fs.protected_fifos" = 2;
    "fs.protected_regular" = 2;
    "fs.suid_dumpable" = 0;
    "net.ipv4.ip_forward" = 0;
    "net.ipv4.conf.all.rp_filter" = 1;
    "net.ipv4.conf.all.accept_redirects" = 0;
    "net.ipv4.conf.default.accept_redirects" = 0;
    "net.ipv4.conf.all.secure_redirects" = 0;
    "net.ipv4.conf.all.send_redirects" = 0;
    "net.ipv4.conf.default.send_redirects" = 0;
    "net.ipv4.conf.all.accept_source_route" = 0;
    "net.ipv4.icmp_ignore_bogus_error_responses" = 1;
    "net.ipv4.tcp_syncookies" = 1;
    "net.ipv4.tcp_rfc1337" = 1;
    "net.ipv6.conf.all.accept_ra" = 0;
    "net.ipv6.conf.default.accept_ra" = 0;
    "net.ipv6.conf.all.accept_redirects" = 0;
    "net.ipv6.conf.default.accept_redirects" = 0;
  };
  # The root account stays locked (NixOS's default, stated here because a control checks it).
  users.users.root.hashedPassword = "!";

  # An administrator who can log in with a key (replace it with yours).
  users.users.admin = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnKey admin@example" ];
  };

  system.stateVersion = "25.05";
}
