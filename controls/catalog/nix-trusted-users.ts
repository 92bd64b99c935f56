import { defineControl, getPath, maps, stringListAt, verdict } from "../check.js";

const ALLOWED = ["root", "@wheel"];

/** A Nix trusted user can import unsigned store paths and set any substituter: it is root-equivalent (R59). */
export const control = defineControl({
  id: "nix-trusted-users",
  title: "Only root and @wheel are Nix trusted users",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.d", "21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.5.21"],
    "anssi-bp028": ["R59"],
  }),
  eval(facts) {
    const raw = getPath(facts, "nix.settings.trusted-users");
    const trusted = stringListAt(facts, "nix.settings.trusted-users");
    const extra = trusted.filter((u) => !ALLOWED.includes(u));
    return verdict(
      raw !== undefined && extra.length === 0,
      { "trusted-users": raw === undefined ? null : trusted },
      { "trusted-users": `subset of ${ALLOWED.join(", ")}` },
      "trusted users limited to administrators",
      raw === undefined
        ? "nix.settings.trusted-users unknown"
        : `untrusted principals trusted: ${extra.join(", ")}`,
    );
  },
  remediation:
    'nix.settings.trusted-users = [ "root" ]; (add "@wheel" only if admins must push unsigned paths)',
});
