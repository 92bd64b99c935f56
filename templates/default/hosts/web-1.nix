# web-1: the canary web server. Replace the disk layout with `nixos-generate-config --show-hardware-config`
# output of the real machine (or a disko module).
{ ... }:
{
  services.nginx = {
    enable = true;
    virtualHosts.default.locations."/health".return = "200 ok";
  };
  networking.firewall.allowedTCPPorts = [ 80 ];

  # Rolled back when this fails after a switch.
  services.nixfleet-agent.healthChecks = [
    {
      name = "web";
      kind = "http";
      url = "http://127.0.0.1/health";
      expectStatus = 200;
    }
  ];

  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.editor = false;
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
