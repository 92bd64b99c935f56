import { boolAt, cannotCheck, defineControl, maps, verdict } from "../check.js";
import { sysctlNumber } from "../sysctl.js";

/** R10: once boot is done no module can be loaded (kernel.modules_disabled = 1), closing a rootkit path. */
export const control = defineControl({
  id: "kernel-modules-locked",
  title: "Kernel module loading is disabled after boot (security.lockKernelModules)",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R10"] }),
  eval(facts) {
    const locked = boolAt(facts, "security.lockKernelModules");
    return verdict(
      locked === true,
      locked ?? null,
      true,
      "modules are locked after boot",
      "security.lockKernelModules is not true",
    );
  },
  runtime(report) {
    const raw = report.sysctl?.["kernel.modules_disabled"];
    if (raw === undefined) return cannotCheck(null, "1", "kernel.modules_disabled not in the runtime report");
    return verdict(
      sysctlNumber(raw) === 1,
      raw,
      "1",
      "kernel.modules_disabled is 1",
      `kernel.modules_disabled is ${raw}`,
    );
  },
  remediation:
    "security.lockKernelModules = true; (list needed modules in boot.kernelModules so they load before the lock)",
});
