import { defineControl, maps } from "../check.js";
import { evalParams, type ParamRule, runtimeParams } from "../cmdline.js";

const RULES: ParamRule[] = [
  { name: "iommu", anyOf: ["iommu=force", "intel_iommu=on", "amd_iommu=force_isolation", "amd_iommu=on"] },
];

/** R7: the IOMMU confines DMA from devices (Thunderbolt, PCIe) to the memory they were given. */
export const control = defineControl({
  id: "kernel-iommu",
  title: "IOMMU is forced on the kernel command line",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R7"] }),
  eval: (facts) => evalParams(facts, RULES),
  runtime: (report) => runtimeParams(report, RULES),
  remediation:
    'boot.kernelParams = [ "iommu=force" ]; (intel_iommu=on / amd_iommu=force_isolation on older kernels)',
});
