import { boolAt, cannotCheck, defineControl, maps, verdict } from "../check.js";

/** R37/R45: a MAC layer confines services beyond Unix permissions. On NixOS, that is AppArmor. */
export const control = defineControl({
  id: "mac-apparmor",
  title: "Mandatory access control is enabled (security.apparmor.enable)",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.3"],
    "anssi-bp028": ["R37", "R45"],
  }),
  eval(facts) {
    const on = boolAt(facts, "security.apparmor.enable");
    return verdict(on === true, on ?? null, true, "AppArmor is enabled", "no mandatory access control");
  },
  runtime(report) {
    const state = report.units?.["apparmor.service"];
    if (state === undefined)
      return cannotCheck(null, "active", "the runtime report has no state for apparmor.service");
    return verdict(
      state === "active",
      state,
      "active",
      "apparmor.service is active",
      `apparmor.service is ${state}`,
    );
  },
  remediation: "security.apparmor.enable = true; (profiles in security.apparmor.policies, enforce mode)",
});
