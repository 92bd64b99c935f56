import { boolAt, defineControl, maps, verdict } from "../check.js";

/** With mutableUsers = false the account list is exactly the declared one: stray or stale accounts disappear. */
export const control = defineControl({
  id: "users-immutable",
  title: "User accounts are declarative only (users.mutableUsers = false)",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.5.16", "A.5.18"],
    "anssi-bp028": ["R30", "R34"],
  }),
  eval(facts) {
    const mutable = boolAt(facts, "users.mutableUsers");
    return verdict(
      mutable === false,
      mutable ?? null,
      false,
      "accounts are managed only by the configuration",
      "users.mutableUsers is not false: accounts can be added outside the configuration",
    );
  },
  remediation: "users.mutableUsers = false; (declare every account, with hashedPasswordFile for passwords)",
});
