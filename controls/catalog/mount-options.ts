import { boolAt, cannotCheck, defineControl, maps, recordAt, stringListAt, verdict } from "../check.js";

/** BP-028 R28's table, for the mount points a NixOS host may mount separately. */
export const REQUIRED_MOUNT_FLAGS: Readonly<Record<string, readonly string[]>> = {
  "/boot": ["nosuid", "nodev", "noexec"],
  "/tmp": ["nosuid", "nodev", "noexec"],
  "/home": ["nosuid", "nodev", "noexec"],
  "/var": ["nosuid", "nodev"],
  "/var/log": ["nosuid", "nodev", "noexec"],
  "/var/tmp": ["nosuid", "nodev", "noexec"],
  "/srv": ["nosuid", "nodev"],
  "/opt": ["nosuid", "nodev"],
  "/dev/shm": ["nosuid", "nodev", "noexec"],
};

function missingFlags(options: readonly string[], point: string): string[] {
  return (REQUIRED_MOUNT_FLAGS[point] ?? []).filter((flag) => !options.includes(flag));
}

/**
 * Separate file systems carry R28's flags. A mount point that is not separate is not a failure here (the
 * layout is a design choice, reported in observed). /tmp from boot.tmp.useTmpfs is NixOS's tmp.mount with
 * nosuid,nodev but without noexec (NixOS leaves it off because builds run from /tmp), so it fails R28: declare
 * /tmp in fileSystems with noexec and move the Nix daemon's build directory off /tmp.
 */
export const control = defineControl({
  id: "mount-options",
  title: "Separate mounts carry nodev/nosuid/noexec as in BP-028 R28",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R28"] }),
  eval(facts) {
    const fileSystems = recordAt(facts, "fileSystems");
    const observed: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const point of Object.keys(REQUIRED_MOUNT_FLAGS)) {
      if (!(point in fileSystems)) {
        observed[point] = "not a separate file system";
        continue;
      }
      const options = stringListAt(fileSystems[point], "options");
      const missing = missingFlags(options, point);
      observed[point] = { options, missing };
      if (missing.length > 0) problems.push(`${point} lacks ${missing.join(",")}`);
    }
    if (
      !("/tmp" in fileSystems) &&
      (boolAt(facts, "boot.tmp.useTmpfs") ?? boolAt(facts, "boot.tmpOnTmpfs")) === true
    ) {
      const options = ["nosuid", "nodev"]; // what NixOS's tmp.mount sets
      const missing = missingFlags(options, "/tmp");
      observed["/tmp"] = { via: "boot.tmp.useTmpfs", options, missing };
      problems.push(`/tmp (boot.tmp.useTmpfs) lacks ${missing.join(",")}`);
    }
    return verdict(
      problems.length === 0,
      observed,
      REQUIRED_MOUNT_FLAGS,
      "every separate mount carries its required flags",
      problems.join("; "),
    );
  },
  runtime(report) {
    if (!Array.isArray(report.mounts))
      return cannotCheck(null, REQUIRED_MOUNT_FLAGS, "the runtime report has no mounts");
    const observed: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const point of Object.keys(REQUIRED_MOUNT_FLAGS)) {
      const live = [...report.mounts].reverse().find((m) => m.mountPoint === point);
      if (!live) continue;
      const missing = missingFlags(live.options, point);
      observed[point] = { options: live.options, missing };
      if (missing.length > 0) problems.push(`${point} lacks ${missing.join(",")}`);
    }
    return verdict(
      problems.length === 0,
      observed,
      REQUIRED_MOUNT_FLAGS,
      "mounted with the required flags",
      problems.join("; "),
    );
  },
  remediation:
    'fileSystems."/home".options = [ "nosuid" "nodev" "noexec" ]; (likewise /boot, /var/log, /var/tmp; /var with nosuid,nodev); for /tmp: fileSystems."/tmp" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "mode=1777" "nosuid" "nodev" "noexec" ]; }; with systemd.services.nix-daemon.environment.TMPDIR = "/var/tmp";',
});
