import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sudoConfig } from "../sudo.js";

/** R38: only the dedicated group may even execute sudo, which shrinks sudo's attack surface for other users. */
export const control = defineControl({
  id: "sudo-exec-wheel-only",
  title: "Only wheel members can execute sudo (execWheelOnly)",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.18"],
    "anssi-bp028": ["R38"],
  }),
  eval(facts) {
    const sudo = sudoConfig(facts);
    if (!sudo) return notApplicable({ sudo: false }, true, "neither sudo nor sudo-rs is enabled");
    return verdict(
      sudo.execWheelOnly === true,
      { [`${sudo.prefix}.execWheelOnly`]: sudo.execWheelOnly ?? null },
      { [`${sudo.prefix}.execWheelOnly`]: true },
      "sudo is executable by wheel only",
      "any user can execute the sudo binary",
    );
  },
  remediation: "security.sudo.execWheelOnly = true; (or security.sudo-rs.execWheelOnly)",
});
