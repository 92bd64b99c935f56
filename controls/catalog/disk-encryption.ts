import { boolAt, defineControl, maps, recordAt, verdict } from "../check.js";

/** Data at rest is encrypted: a LUKS device opened in the initrd, or ZFS native encryption. */
export const control = defineControl({
  id: "disk-encryption",
  title: "Disks are encrypted at rest (LUKS in boot.initrd.luks.devices or ZFS encryption)",
  severity: "high",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.h"], dora: ["Art.9"], iso27001: ["A.8.24", "A.8.1"] }),
  eval(facts) {
    const luks = Object.keys(recordAt(facts, "boot.initrd.luks.devices")).sort();
    const zfs = boolAt(facts, "boot.zfs.requestEncryptionCredentials");
    return verdict(
      luks.length > 0 || zfs === true,
      { luksDevices: luks, zfsRequestEncryptionCredentials: zfs ?? null },
      { luksDevices: "non-empty", or: { zfsRequestEncryptionCredentials: true } },
      `encrypted: ${luks.length > 0 ? luks.join(", ") : "ZFS native encryption"}`,
      "no LUKS device and no ZFS encryption declared",
    );
  },
  remediation:
    'boot.initrd.luks.devices.<name>.device = "/dev/disk/by-uuid/…"; (or ZFS with encryption and boot.zfs.requestEncryptionCredentials = true)',
});
