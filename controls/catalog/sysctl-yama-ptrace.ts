import { maps } from "../check.js";
import { sysctlControl } from "../sysctl.js";

/** BP-028 R11: Yama restricts ptrace so one compromised process cannot read another's memory. */
export const control = sysctlControl({
  id: "sysctl-yama-ptrace",
  title: "Yama restricts ptrace (kernel.yama.ptrace_scope >= 1)",
  severity: "medium",
  level: "intermediary",
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R11"] }),
  rules: { "kernel.yama.ptrace_scope": { atLeast: 1 } },
  remediation: 'boot.kernel.sysctl."kernel.yama.ptrace_scope" = 1;',
});
