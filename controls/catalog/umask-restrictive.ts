import { defineControl, getPath, maps, verdict } from "../check.js";

/** R36: new files are private by default (umask 077 for users; login.defs drives pam_umask on NixOS). */
export const control = defineControl({
  id: "umask-restrictive",
  title: "Default umask is 077 (security.loginDefs.settings.UMASK)",
  severity: "low",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.3"], "anssi-bp028": ["R36"] }),
  eval(facts) {
    const raw = getPath(facts, "security.loginDefs.settings.UMASK");
    const value = typeof raw === "string" || typeof raw === "number" ? String(raw) : undefined;
    const octal = value === undefined ? undefined : Number.parseInt(value, 8);
    return verdict(
      octal !== undefined && !Number.isNaN(octal) && (octal & 0o077) === 0o077,
      value ?? null,
      "077",
      `UMASK is ${value}`,
      value === undefined
        ? "UMASK not set in security.loginDefs.settings"
        : `UMASK ${value} leaves files readable by group or others`,
    );
  },
  remediation: 'security.loginDefs.settings.UMASK = "077";',
});
