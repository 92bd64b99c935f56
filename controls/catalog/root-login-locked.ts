import { declaredUsers } from "../accounts.js";
import { defineControl, maps, verdict } from "../check.js";

/** R33: root has no usable password; administrators authenticate as themselves, so every action is attributable. */
export const control = defineControl({
  id: "root-login-locked",
  title: "The root account's password is locked",
  severity: "high",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.5.16"],
    "anssi-bp028": ["R33"],
  }),
  eval(facts) {
    const root = declaredUsers(facts).find((u) => u.name === "root");
    const scheme = root?.hashedPasswordScheme ?? null;
    const plaintext = root?.hasPlaintextPassword ?? false;
    return verdict(
      scheme === "locked" && !plaintext,
      { hashedPasswordScheme: scheme, hasPlaintextPassword: plaintext },
      { hashedPasswordScheme: "locked", hasPlaintextPassword: false },
      "root's password is locked",
      "root has a usable (or undeclared) password",
    );
  },
  remediation:
    'users.users.root.hashedPassword = "!"; (NixOS\'s default initialHashedPassword is "!" — do not override it)',
});
