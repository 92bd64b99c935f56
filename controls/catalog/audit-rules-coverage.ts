import { boolAt, defineControl, maps, notApplicable, stringListAt, verdict } from "../check.js";

/** What R73's auditd must at least record, as regular expressions over `auditctl` rule lines. */
export const AUDIT_EXPECTATIONS: ReadonlyArray<readonly [string, RegExp]> = [
  ["program execution (execve)", /-S\s+(\S*,)?execve\b/],
  [
    "kernel module loading (init_module/finit_module)",
    /(-S\s+(\S*,)?(f?init_module|delete_module)\b|-w\s+\S*(insmod|modprobe|rmmod))/,
  ],
  ["identity files (/etc/passwd, /etc/shadow, /etc/group)", /-w\s+\/etc\/(passwd|shadow|group)\b/],
  ["sudo configuration (/etc/sudoers)", /-w\s+\/etc\/sudoers/],
];

export const control = defineControl({
  id: "audit-rules-coverage",
  title: "Audit rules cover execve, module loading, identity files and sudoers",
  severity: "low",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.b"],
    dora: ["Art.10"],
    iso27001: ["A.8.15", "A.8.16"],
    "anssi-bp028": ["R73"],
  }),
  eval(facts) {
    if (boolAt(facts, "security.auditd.enable") !== true)
      return notApplicable({ "security.auditd.enable": false }, null, "auditd is off (see auditd-enabled)");
    const rules = stringListAt(facts, "security.audit.rules");
    const missing = AUDIT_EXPECTATIONS.filter(([, re]) => !rules.some((r) => re.test(r))).map(
      ([what]) => what,
    );
    return verdict(
      missing.length === 0,
      { rules: rules.length, missing },
      { covers: AUDIT_EXPECTATIONS.map(([what]) => what) },
      "audit rules cover the required events",
      `audit rules miss: ${missing.join("; ")}`,
    );
  },
  remediation:
    'security.audit.rules = [ "-a exit,always -F arch=b64 -S execve -k exec" "-a exit,always -F arch=b64 -S init_module,finit_module,delete_module -k modules" "-w /etc/passwd -p wa -k identity" "-w /etc/shadow -p wa -k identity" "-w /etc/sudoers -p wa -k sudoers" ];',
});
