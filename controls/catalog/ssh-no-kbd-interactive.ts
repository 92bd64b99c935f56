import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

/**
 * Keyboard-interactive is password authentication by another name, unless sshd requires it *after* a public
 * key (AuthenticationMethods publickey,keyboard-interactive) to ask for a second factor through PAM.
 */
export const control = defineControl({
  id: "ssh-no-kbd-interactive",
  title: "SSH keyboard-interactive authentication is off (or only a second factor after a key)",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.5"], "anssi-bp028": ["R67", "R79"] }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, false, "the SSH daemon is not enabled");
    const kbd =
      sshdOption(facts, "KbdInteractiveAuthentication") ??
      sshdOption(facts, "ChallengeResponseAuthentication");
    const methods = sshdOption(facts, "AuthenticationMethods");
    const secondFactorOnly =
      typeof methods === "string" &&
      methods.split(/\s+/).every((list) => list.split(",")[0] === "publickey" && list.split(",").length >= 2);
    const observed = {
      KbdInteractiveAuthentication: kbd ?? "yes (OpenSSH default)",
      AuthenticationMethods: methods ?? null,
    };
    return verdict(
      kbd === false || secondFactorOnly,
      observed,
      {
        KbdInteractiveAuthentication: false,
        or: { AuthenticationMethods: "publickey,keyboard-interactive" },
      },
      kbd === false
        ? "keyboard-interactive is off"
        : "keyboard-interactive only as a second factor after a key",
      "keyboard-interactive can be used alone (a password prompt)",
    );
  },
  remediation: "services.openssh.settings.KbdInteractiveAuthentication = false;",
});
