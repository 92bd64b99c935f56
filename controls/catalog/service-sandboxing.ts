import { defineControl, isRecord, maps, recordAt, verdict } from "../check.js";

/**
 * Units that need full privileges by design (init, login, networking, storage, the Nix daemon, auditing, boot
 * helpers). They are exempt; every other service is an application the fleet owner added and must be sandboxed.
 * Real fleets will meet more privileged units: waive them with a rationale rather than widening this list.
 */
export const PRIVILEGED_UNIT_PREFIXES = [
  "systemd-",
  "nix-",
  "nixos-",
  "dbus",
  "sshd",
  "getty@",
  "serial-getty@",
  "autovt@",
  "container@",
  "user@",
  "user-runtime-dir@",
  "network-",
  "firewall",
  "nftables",
  "dhcpcd",
  "resolvconf",
  "auditd",
  "audit",
  "apparmor",
  "suid-sgid-wrappers",
  "mount-pstore",
  "reload-systemd-vconsole-setup",
  "save-hwclock",
  "nscd",
  "polkit",
  "lvm",
  "kmod-static-nodes",
  "modprobe@",
  "post-resume",
  "pre-sleep",
  "post-boot",
  "prepare-kexec",
  "linger-users",
  "domainname",
  "emergency",
  "rescue",
  "fstrim",
  "logrotate",
  "restic-backups-",
  "borgbackup-job-",
  "chronyd",
  "generate-shutdown-ramfs",
  "mdmonitor",
  "zfs-",
  // The NixFleet agent switches generations, which needs root (its unit is hardened otherwise, see nix/lib/hardening.nix).
  "nixfleet-agent",
];

const PROTECT_SYSTEM_OK = ["strict", "full", true, "yes"];

/** What is missing from a unit's serviceConfig for a reasonable sandbox. */
export function sandboxGaps(serviceConfig: Record<string, unknown>): string[] {
  const gaps: string[] = [];
  if (serviceConfig.NoNewPrivileges !== true && serviceConfig.DynamicUser !== true)
    gaps.push("NoNewPrivileges");
  if (
    !PROTECT_SYSTEM_OK.includes(serviceConfig.ProtectSystem as string | boolean) &&
    serviceConfig.DynamicUser !== true
  )
    gaps.push("ProtectSystem");
  if (serviceConfig.PrivateTmp !== true && serviceConfig.DynamicUser !== true) gaps.push("PrivateTmp");
  const user = serviceConfig.User;
  if (
    serviceConfig.DynamicUser !== true &&
    (user === undefined || user === null || user === "root" || user === 0)
  )
    gaps.push("User (runs as root)");
  return gaps;
}

/** R64/R65: application services drop root and run in a systemd sandbox. */
export const control = defineControl({
  id: "service-sandboxing",
  title:
    "Application services are sandboxed (non-root User/DynamicUser, NoNewPrivileges, ProtectSystem, PrivateTmp)",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.27"],
    "anssi-bp028": ["R64", "R65"],
  }),
  eval(facts) {
    const services = recordAt(facts, "systemd.services");
    const checked: string[] = [];
    const unsandboxed: Record<string, string[]> = {};
    for (const [name, unit] of Object.entries(services).sort(([a], [b]) => a.localeCompare(b))) {
      if (!isRecord(unit) || unit.enable === false) continue;
      if (PRIVILEGED_UNIT_PREFIXES.some((p) => name.startsWith(p))) continue;
      checked.push(name);
      const gaps = sandboxGaps(isRecord(unit.serviceConfig) ? unit.serviceConfig : {});
      if (gaps.length > 0) unsandboxed[name] = gaps;
    }
    const bad = Object.keys(unsandboxed);
    return verdict(
      bad.length === 0,
      { checked, unsandboxed },
      {
        unsandboxed: {},
        each: "User≠root or DynamicUser, NoNewPrivileges, ProtectSystem=strict|full, PrivateTmp",
      },
      `${checked.length} application service(s), all sandboxed`,
      `not sandboxed: ${bad.map((n) => `${n} (${unsandboxed[n]!.join(", ")})`).join("; ")}`,
    );
  },
  remediation:
    'systemd.services.<name>.serviceConfig = { DynamicUser = true; NoNewPrivileges = true; ProtectSystem = "strict"; ProtectHome = true; PrivateTmp = true; };',
});
