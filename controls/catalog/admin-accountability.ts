import { boolAt, defineControl, maps, notApplicable, stringListAt, verdict } from "../check.js";
import { sudoConfig, sudoDefaults } from "../sudo.js";

/**
 * R33: privileged actions must be traceable to a person. Either sudo records each session (log_output or a
 * logfile), or auditd records every execve — auditd's records carry the login uid, so they survive sudo -s.
 */
export const control = defineControl({
  id: "admin-accountability",
  title: "Administrative commands are recorded (sudo I/O log or auditd execve rule)",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.b", "21.2.i"],
    dora: ["Art.10"],
    iso27001: ["A.8.15", "A.8.2"],
    "anssi-bp028": ["R33"],
  }),
  eval(facts) {
    const sudo = sudoConfig(facts);
    const rules = stringListAt(facts, "security.audit.rules");
    const auditd = boolAt(facts, "security.auditd.enable") === true;
    const execveRule = auditd && rules.some((r) => /-S\s+(\S*,)?execve\b/.test(r));
    if (!sudo && !auditd) return notApplicable({ sudo: false, auditd: false }, null, "no sudo and no auditd");
    const defaults = sudo ? sudoDefaults(sudo.extraConfig) : [];
    const sudoLogs = defaults.some(
      (d) => d === "log_output" || d.startsWith("logfile=") || d.startsWith("iolog_dir="),
    );
    return verdict(
      sudoLogs || execveRule,
      { sudoLogging: sudoLogs, auditdExecveRule: execveRule },
      { sudoLogging: true, or: { auditdExecveRule: true } },
      sudoLogs ? "sudo records sessions" : "auditd records every execve",
      "neither sudo session logging nor an auditd execve rule",
    );
  },
  remediation:
    'security.audit.rules = [ "-a exit,always -F arch=b64 -S execve -k exec" ]; with security.auditd.enable = true; or security.sudo.extraConfig = "Defaults log_output";',
});
