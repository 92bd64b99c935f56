# db-1: a PostgreSQL server. Replace the disk layout with the real machine's hardware configuration.
{ ... }:
{
  services.postgresql.enable = true;

  services.nixfleet-agent.healthChecks = [
    {
      name = "postgresql";
      kind = "systemd";
      unit = "postgresql.service";
    }
    {
      name = "postgresql-port";
      kind = "tcp";
      host = "127.0.0.1";
      port = 5432;
    }
  ];

  # This host keeps a documented exception: the compliance report shows it with its rationale.
  nixfleet.compliance.exceptions = [
    {
      control = "boot-loader-protected";
      rationale = "Headless server in a locked rack; the console is reachable only through the provider's authenticated out-of-band access.";
      approvedBy = "security@example.org";
      expires = "2027-06-30";
    }
  ];

  boot.loader.systemd-boot.enable = true;
  boot.initrd.luks.devices.root.device = "/dev/disk/by-partlabel/root";
  fileSystems."/" = {
    device = "/dev/mapper/root";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-partlabel/ESP";
    fsType = "vfat";
    options = [
      "nosuid"
      "nodev"
      "noexec"
      "umask=0077"
    ];
  };
}
