import {
  boolAt,
  cannotCheck,
  defineControl,
  getPath,
  maps,
  numberAt,
  platformOf,
  verdict,
} from "../check.js";

/** A host firewall denies by default what is not explicitly opened. */
export const control = defineControl({
  id: "firewall-enabled",
  title: "Host firewall is enabled",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.8.20", "A.8.22"],
    "anssi-bp028": ["R80"],
  }),
  eval(facts) {
    if (platformOf(facts) === "darwin") {
      // nix-darwin: networking.applicationFirewall.enable (recent) or the alf defaults (globalstate 1 or 2).
      const appFw = boolAt(facts, "networking.applicationFirewall.enable");
      const globalstate = numberAt(facts, "system.defaults.alf.globalstate");
      const observed = {
        "networking.applicationFirewall.enable": appFw ?? null,
        "system.defaults.alf.globalstate": globalstate ?? null,
      };
      return verdict(
        appFw === true || (globalstate !== undefined && globalstate >= 1),
        observed,
        { "networking.applicationFirewall.enable": true, "or system.defaults.alf.globalstate": ">= 1" },
        "the macOS application firewall is on",
        "the macOS application firewall is not enabled by the configuration",
      );
    }
    const enabled = getPath(facts, "networking.firewall.enable");
    if (enabled !== undefined && typeof enabled !== "boolean")
      return cannotCheck(enabled, true, "networking.firewall.enable is not a boolean");
    // NixOS enables the firewall by default; an absent option in hand-written facts is not evidence.
    return verdict(
      enabled === true,
      enabled ?? null,
      true,
      "networking.firewall.enable is true",
      "networking.firewall.enable is not true",
    );
  },
  runtime(report) {
    if (report.platform === "darwin")
      return cannotCheck(null, "active", "no runtime firewall probe on macOS");
    const state = report.units?.["firewall.service"];
    if (state === undefined)
      return cannotCheck(null, "active", "the runtime report has no state for firewall.service");
    return verdict(
      state === "active",
      state,
      "active",
      "firewall.service is active",
      `firewall.service is ${state}`,
    );
  },
  remediation:
    "networking.firewall.enable = true; (nix-darwin: networking.applicationFirewall.enable = true or system.defaults.alf.globalstate = 1)",
});
