import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

const LIMIT = 4;

/** Few attempts per connection slow online guessing and keep logs readable; OpenSSH's default is 6. */
export const control = defineControl({
  id: "ssh-max-auth-tries",
  title: `SSH MaxAuthTries is at most ${LIMIT}`,
  severity: "low",
  level: "intermediary",
  platforms: ["nixos", "darwin"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.5"], "anssi-bp028": ["R79"] }),
  eval(facts) {
    if (!sshEnabled(facts))
      return notApplicable({ enabled: false }, `<= ${LIMIT}`, "the SSH daemon is not enabled");
    const value = sshdOption(facts, "MaxAuthTries");
    const tries = typeof value === "number" ? value : 6;
    return verdict(
      tries <= LIMIT && tries > 0,
      value ?? "6 (OpenSSH default)",
      `<= ${LIMIT}`,
      `MaxAuthTries is ${tries}`,
      `MaxAuthTries is ${tries}`,
    );
  },
  remediation: `services.openssh.settings.MaxAuthTries = ${LIMIT - 1};`,
});
