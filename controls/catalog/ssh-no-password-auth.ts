import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

/** Passwords over SSH invite guessing and credential stuffing; keys (or certificates) are required instead. */
export const control = defineControl({
  id: "ssh-no-password-auth",
  title: "SSH password authentication is disabled",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.5.17", "A.8.5"],
    "anssi-bp028": ["R67", "R79"],
  }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, false, "the SSH daemon is not enabled");
    const value = sshdOption(facts, "PasswordAuthentication");
    // Unset means OpenSSH's default, yes.
    const observed = value === undefined ? "yes (OpenSSH default)" : value;
    return verdict(
      value === false,
      observed,
      false,
      "PasswordAuthentication is off",
      "PasswordAuthentication is on",
    );
  },
  remediation: "services.openssh.settings.PasswordAuthentication = false;",
});
