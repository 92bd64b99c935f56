import { declaredUsers } from "../accounts.js";
import { defineControl, maps, verdict } from "../check.js";

/** An empty hash lets anyone log in on a console or through any PAM service that allows it. */
export const control = defineControl({
  id: "no-empty-passwords",
  title: 'No account has an empty password (hashedPassword = "")',
  severity: "critical",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.5.17", "A.8.5"],
    "anssi-bp028": ["R31"],
  }),
  eval(facts) {
    const offenders = declaredUsers(facts)
      .filter((u) => u.hashedPasswordScheme === "empty")
      .map((u) => u.name);
    return verdict(
      offenders.length === 0,
      { usersWithEmptyPassword: offenders },
      { usersWithEmptyPassword: [] },
      "no account has an empty password",
      `empty password for: ${offenders.join(", ")}`,
    );
  },
  remediation: 'Set users.users.<name>.hashedPassword = "!"; (locked) or a real hash, never "".',
});
