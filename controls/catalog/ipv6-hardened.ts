import { boolAt, defineControl, maps, verdict } from "../check.js";
import { evalSysctl, sysctlNumber } from "../sysctl.js";

const RA_KEYS = [
  "net.ipv6.conf.all.accept_ra",
  "net.ipv6.conf.default.accept_ra",
  "net.ipv6.conf.all.accept_redirects",
  "net.ipv6.conf.default.accept_redirects",
];

/**
 * R13 asks to disable IPv6 when it is not used. NixOS hosts often need it, so a host passes either with IPv6
 * off (networking.enableIPv6 = false) or with router advertisements and redirects ignored.
 */
export const control = defineControl({
  id: "ipv6-hardened",
  title: "IPv6 is disabled, or ignores router advertisements and redirects",
  severity: "low",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.20"], "anssi-bp028": ["R13"] }),
  eval(facts) {
    const enableIPv6 = boolAt(facts, "networking.enableIPv6");
    const values = Object.fromEntries(RA_KEYS.map((k) => [k, evalSysctl(facts, k) ?? null]));
    const hardened = RA_KEYS.every((k) => sysctlNumber(values[k]) === 0);
    return verdict(
      enableIPv6 === false || hardened,
      { "networking.enableIPv6": enableIPv6 ?? null, ...values },
      { "networking.enableIPv6": false, or: Object.fromEntries(RA_KEYS.map((k) => [k, 0])) },
      enableIPv6 === false ? "IPv6 is disabled" : "IPv6 ignores router advertisements and redirects",
      "IPv6 is on and accepts router advertisements or redirects",
    );
  },
  remediation:
    'networking.enableIPv6 = false; or boot.kernel.sysctl = { "net.ipv6.conf.all.accept_ra" = 0; "net.ipv6.conf.default.accept_ra" = 0; "net.ipv6.conf.all.accept_redirects" = 0; "net.ipv6.conf.default.accept_redirects" = 0; };',
});
