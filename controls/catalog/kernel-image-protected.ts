import { boolAt, defineControl, maps, verdict } from "../check.js";

/** security.protectKernelImage forbids hibernation and kexec, so the running kernel cannot be replaced. */
export const control = defineControl({
  id: "kernel-image-protected",
  title: "The running kernel image cannot be replaced (security.protectKernelImage)",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R9"] }),
  eval(facts) {
    const on = boolAt(facts, "security.protectKernelImage");
    return verdict(
      on === true,
      on ?? null,
      true,
      "kexec and hibernation disabled",
      "security.protectKernelImage is not true",
    );
  },
  remediation: "security.protectKernelImage = true;",
});
