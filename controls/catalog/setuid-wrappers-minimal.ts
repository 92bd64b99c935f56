import { cannotCheck, defineControl, isRecord, maps, recordAt, verdict } from "../check.js";

/**
 * setuid/setgid wrappers a minimal NixOS system creates (security.wrappers). Anything beyond needs a reason:
 * R56/R57 ask for as few setuid-root executables as possible.
 */
export const BASELINE_WRAPPERS = [
  "chsh",
  "dbus-daemon-launch-helper",
  "fusermount",
  "fusermount3",
  "mount",
  "newgidmap",
  "newgrp",
  "newuidmap",
  "passwd",
  "pkexec",
  "polkit-agent-helper-1",
  "sg",
  "su",
  "sudo",
  "sudoedit",
  "umount",
  "unix_chkpwd",
];

function privileged(wrapper: unknown): boolean {
  return isRecord(wrapper) && (wrapper.setuid === true || wrapper.setgid === true);
}

export const control = defineControl({
  id: "setuid-wrappers-minimal",
  title: "No setuid/setgid wrappers beyond the NixOS baseline",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.18"],
    "anssi-bp028": ["R56", "R57"],
  }),
  eval(facts) {
    const wrappers = recordAt(facts, "security.wrappers");
    const privilegedNames = Object.keys(wrappers)
      .filter((n) => privileged(wrappers[n]))
      .sort();
    const extra = privilegedNames.filter((n) => !BASELINE_WRAPPERS.includes(n));
    return verdict(
      extra.length === 0,
      { privileged: privilegedNames, beyondBaseline: extra },
      { beyondBaseline: [], baseline: BASELINE_WRAPPERS },
      `${privilegedNames.length} privileged wrapper(s), all in the baseline`,
      `setuid/setgid wrappers beyond the baseline: ${extra.join(", ")}`,
    );
  },
  runtime(report, facts) {
    if (!Array.isArray(report.setuidBinaries))
      return cannotCheck(null, [], "the runtime report has no setuid inventory");
    const declared = facts ? Object.keys(recordAt(facts, "security.wrappers")) : [];
    const allowed = new Set([...BASELINE_WRAPPERS, ...declared]);
    // NixOS puts wrappers in /run/wrappers/bin; anything setuid elsewhere was not declared.
    const unexpected = report.setuidBinaries.filter((path) => {
      const base = path.split("/").pop() ?? path;
      return !(path.startsWith("/run/wrappers/") && allowed.has(base));
    });
    return verdict(
      unexpected.length === 0,
      { setuidBinaries: report.setuidBinaries.length, unexpected },
      { unexpected: [] },
      "every setuid binary is a declared wrapper",
      `undeclared setuid binaries: ${unexpected.join(", ")}`,
    );
  },
  remediation:
    "Remove programs.<x>.enable / security.wrappers.<name> entries that add setuid wrappers; prefer capabilities (security.wrappers.<name>.capabilities) to setuid root.",
});
