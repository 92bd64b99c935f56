import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

/** X11 forwarding exposes the client's display to the server; servers have no use for it (R63). */
export const control = defineControl({
  id: "ssh-no-x11-forwarding",
  title: "SSH X11 forwarding is disabled",
  severity: "low",
  level: "intermediary",
  platforms: ["nixos", "darwin"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.21"], "anssi-bp028": ["R63", "R79"] }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, false, "the SSH daemon is not enabled");
    const value = sshdOption(facts, "X11Forwarding");
    return verdict(
      value === false || value === undefined,
      value ?? "no (OpenSSH default)",
      false,
      "X11Forwarding is off",
      "X11Forwarding is on",
    );
  },
  remediation: "services.openssh.settings.X11Forwarding = false;",
});
