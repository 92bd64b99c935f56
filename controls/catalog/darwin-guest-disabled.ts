import { boolAt, defineControl, maps, verdict } from "../check.js";

/** The guest account is an unaccountable login (R30's unused accounts). */
export const control = defineControl({
  id: "darwin-guest-disabled",
  title: "The macOS guest account is disabled",
  severity: "medium",
  level: "minimal",
  platforms: ["darwin"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.5.16", "A.5.18"],
    "anssi-bp028": ["R30"],
  }),
  eval(facts) {
    const guest = boolAt(facts, "system.defaults.loginwindow.GuestEnabled");
    return verdict(
      guest === false,
      guest ?? null,
      false,
      "guest login is off",
      "guest login is not disabled by the configuration",
    );
  },
  remediation: "system.defaults.loginwindow.GuestEnabled = false;",
});
