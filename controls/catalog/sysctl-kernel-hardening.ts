import { maps } from "../check.js";
import { sysctlControl } from "../sysctl.js";

/** BP-028 R9's kernel options: hide kernel pointers and logs, forbid kexec, unprivileged BPF and perf, SysRq. */
export const control = sysctlControl({
  id: "sysctl-kernel-hardening",
  title: "Kernel sysctls restrict pointers, dmesg, kexec, BPF, perf and SysRq",
  severity: "medium",
  level: "intermediary",
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R9"] }),
  rules: {
    "kernel.kptr_restrict": { equals: 2 },
    "kernel.dmesg_restrict": { equals: 1 },
    "kernel.kexec_load_disabled": { equals: 1 },
    "kernel.unprivileged_bpf_disabled": { atLeast: 1 },
    "kernel.perf_event_paranoid": { atLeast: 2 },
    "kernel.randomize_va_space": { equals: 2 },
    "kernel.sysrq": { equals: 0 },
    "net.core.bpf_jit_harden": { equals: 2 },
  },
  remediation:
    'boot.kernel.sysctl = { "kernel.kptr_restrict" = 2; "kernel.dmesg_restrict" = 1; "kernel.kexec_load_disabled" = 1; "kernel.unprivileged_bpf_disabled" = 1; "kernel.perf_event_paranoid" = 2; "kernel.randomize_va_space" = 2; "kernel.sysrq" = 0; "net.core.bpf_jit_harden" = 2; };',
});
