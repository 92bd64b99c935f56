import { boolAt, defineControl, maps, numberAt, verdict } from "../check.js";

/** Stealth mode drops probes to closed ports instead of answering, reducing what scans reveal (R80). */
export const control = defineControl({
  id: "darwin-firewall-stealth",
  title: "The macOS firewall runs in stealth mode",
  severity: "low",
  level: "minimal",
  platforms: ["darwin"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.20"], "anssi-bp028": ["R80"] }),
  eval(facts) {
    const stealth = boolAt(facts, "networking.applicationFirewall.enableStealthMode");
    const alf = numberAt(facts, "system.defaults.alf.stealthenabled");
    return verdict(
      stealth === true || alf === 1,
      {
        "networking.applicationFirewall.enableStealthMode": stealth ?? null,
        "system.defaults.alf.stealthenabled": alf ?? null,
      },
      {
        "networking.applicationFirewall.enableStealthMode": true,
        or: { "system.defaults.alf.stealthenabled": 1 },
      },
      "stealth mode is on",
      "stealth mode is off",
    );
  },
  remediation:
    "networking.applicationFirewall.enableStealthMode = true; (or system.defaults.alf.stealthenabled = 1)",
});
