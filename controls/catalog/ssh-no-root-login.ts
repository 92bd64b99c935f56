import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

/** Direct root logins over SSH break accountability: administrators log in as themselves, then elevate. */
export const control = defineControl({
  id: "ssh-no-root-login",
  title: "SSH refuses logins as root",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.5"],
    "anssi-bp028": ["R33", "R79"],
  }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, "no", "the SSH daemon is not enabled");
    const value = sshdOption(facts, "PermitRootLogin");
    // OpenSSH's own default is prohibit-password, which still admits root with a key.
    const observed =
      value === undefined ? "prohibit-password (OpenSSH default)" : value === true ? "yes" : value;
    return verdict(
      value === "no" || value === false,
      observed,
      "no",
      "PermitRootLogin is no",
      `PermitRootLogin is ${String(observed)}`,
    );
  },
  remediation:
    'services.openssh.settings.PermitRootLogin = "no"; (nix-darwin: services.openssh.extraConfig = "PermitRootLogin no")',
});
