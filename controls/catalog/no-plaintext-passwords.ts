import { declaredUsers } from "../accounts.js";
import { defineControl, maps, verdict } from "../check.js";

/** password / initialPassword end up world-readable in /nix/store: only hashes (or hash files) may be declared. */
export const control = defineControl({
  id: "no-plaintext-passwords",
  title: "No plaintext passwords in the Nix store (users.users.*.password / initialPassword unset)",
  severity: "critical",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.h", "21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.5.17", "A.8.24"],
    "anssi-bp028": ["R31", "R68"],
  }),
  eval(facts) {
    const offenders = declaredUsers(facts)
      .filter((u) => u.hasPlaintextPassword)
      .map((u) => u.name);
    return verdict(
      offenders.length === 0,
      { usersWithPlaintextPassword: offenders },
      { usersWithPlaintextPassword: [] },
      "no user declares a plaintext password",
      `plaintext password declared for: ${offenders.join(", ")}`,
    );
  },
  remediation:
    "Remove users.users.<name>.password and .initialPassword; set users.users.<name>.hashedPasswordFile (e.g. from sops-nix/agenix) or hashedPassword (mkpasswd -m yescrypt).",
});
