import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sudoConfig } from "../sudo.js";

/** Re-authentication on elevation: a stolen session or key alone does not give root (R38/R39). */
export const control = defineControl({
  id: "sudo-wheel-password",
  title: "sudo asks wheel members for their password (wheelNeedsPassword)",
  severity: "high",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.5"],
    "anssi-bp028": ["R38", "R39"],
  }),
  eval(facts) {
    const sudo = sudoConfig(facts);
    if (!sudo) return notApplicable({ sudo: false }, true, "neither sudo nor sudo-rs is enabled");
    return verdict(
      sudo.wheelNeedsPassword === true,
      { [`${sudo.prefix}.wheelNeedsPassword`]: sudo.wheelNeedsPassword ?? null },
      { [`${sudo.prefix}.wheelNeedsPassword`]: true },
      "wheel members re-authenticate",
      "wheel members get root without a password",
    );
  },
  remediation: "security.sudo.wheelNeedsPassword = true; (security.sudo-rs.wheelNeedsPassword with sudo-rs)",
});
