import { defineControl, maps } from "../check.js";
import { evalParams, type ParamRule, runtimeParams } from "../cmdline.js";

const RULES: ParamRule[] = [{ name: "lockdown", anyOf: ["lockdown=integrity", "lockdown=confidentiality"] }];

/** Kernel lockdown stops root from modifying the running kernel (/dev/mem, unsigned modules, kexec, …). */
export const control = defineControl({
  id: "kernel-lockdown",
  title: "Kernel lockdown is enabled (lockdown=integrity or confidentiality)",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R10"] }),
  eval: (facts) => evalParams(facts, RULES),
  runtime: (report) => runtimeParams(report, RULES),
  remediation: 'boot.kernelParams = [ "lockdown=integrity" ];',
});
