import { boolAt, cannotCheck, defineControl, getPath, listAt, maps, verdict } from "../check.js";

/** R73: system activity is logged by the kernel audit subsystem, with rules loaded. */
export const control = defineControl({
  id: "auditd-enabled",
  title: "auditd runs and audit rules are loaded",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.b"],
    dora: ["Art.10"],
    iso27001: ["A.8.15", "A.8.16"],
    "anssi-bp028": ["R73"],
  }),
  eval(facts) {
    const auditd = boolAt(facts, "security.auditd.enable");
    const audit = getPath(facts, "security.audit.enable");
    const rules = listAt(facts, "security.audit.rules").length;
    return verdict(
      auditd === true && (audit === true || audit === "lock") && rules > 0,
      { "security.auditd.enable": auditd ?? null, "security.audit.enable": audit ?? null, rules },
      { "security.auditd.enable": true, "security.audit.enable": 'true or "lock"', rules: ">= 1" },
      `auditd on with ${rules} rule(s)`,
      "auditd or the audit subsystem is off, or no audit rules are declared",
    );
  },
  runtime(report) {
    const state = report.units?.["auditd.service"];
    if (state === undefined)
      return cannotCheck(null, "active", "the runtime report has no state for auditd.service");
    return verdict(
      state === "active",
      state,
      "active",
      "auditd.service is active",
      `auditd.service is ${state}`,
    );
  },
  remediation:
    'security.auditd.enable = true; security.audit.enable = true; security.audit.rules = [ "-a exit,always -F arch=b64 -S execve" … ];',
});
