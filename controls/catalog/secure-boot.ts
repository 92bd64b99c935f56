import { boolAt, defineControl, maps, verdict } from "../check.js";

/** R3: UEFI Secure Boot verifies the boot chain. On NixOS this means lanzaboote (signed unified kernel images). */
export const control = defineControl({
  id: "secure-boot",
  title: "UEFI Secure Boot is set up (boot.lanzaboote.enable)",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R3", "R6"] }),
  eval(facts) {
    const lanzaboote = boolAt(facts, "boot.lanzaboote.enable");
    return verdict(
      lanzaboote === true,
      lanzaboote ?? null,
      true,
      "the kernel and initrd are signed for Secure Boot",
      "no Secure Boot signing configured",
    );
  },
  remediation:
    'boot.lanzaboote.enable = true; boot.lanzaboote.pkiBundle = "/var/lib/sbctl"; (the lanzaboote flake)',
});
