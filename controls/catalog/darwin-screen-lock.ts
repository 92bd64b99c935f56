import { defineControl, getPath, maps, numberAt, verdict } from "../check.js";

/** An unattended Mac locks itself: the screensaver asks for the password within 5 s (R32, ISO A.8.1). */
export const control = defineControl({
  id: "darwin-screen-lock",
  title: "macOS asks for the password when the screensaver starts",
  severity: "medium",
  level: "minimal",
  platforms: ["darwin"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.1"], "anssi-bp028": ["R32"] }),
  eval(facts) {
    const ask = getPath(facts, "system.defaults.screensaver.askForPassword");
    const delay = numberAt(facts, "system.defaults.screensaver.askForPasswordDelay");
    return verdict(
      (ask === true || ask === 1) && (delay === undefined || delay <= 5),
      { askForPassword: ask ?? null, askForPasswordDelay: delay ?? null },
      { askForPassword: true, askForPasswordDelay: "<= 5" },
      "the screen locks with the screensaver",
      "the screensaver does not lock the session promptly",
    );
  },
  remediation:
    "system.defaults.screensaver.askForPassword = true; system.defaults.screensaver.askForPasswordDelay = 0;",
});
