import { boolAt, defineControl, getPath, maps, stringListAt, verdict } from "../check.js";

/** R59: store paths are accepted only when signed by a trusted key and fetched over an authenticated channel. */
export const control = defineControl({
  id: "nix-require-sigs",
  title: "Nix requires signatures from trusted keys and uses authenticated substituters",
  severity: "critical",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.d", "21.2.e"],
    dora: ["Art.9"],
    iso27001: ["A.5.21", "A.8.19"],
    "anssi-bp028": ["R59"],
  }),
  eval(facts) {
    const requireSigs = getPath(facts, "nix.settings.require-sigs");
    const substituters = [
      ...stringListAt(facts, "nix.settings.substituters"),
      ...stringListAt(facts, "nix.settings.trusted-substituters"),
    ];
    const keys = stringListAt(facts, "nix.settings.trusted-public-keys");
    const insecure = substituters.filter(
      (s) => !/^(https|file|ssh|ssh-ng|s3):\/\//.test(s) && !s.startsWith("/"),
    );
    // An unset option is not evidence: nix/facts.nix always emits the effective value from the config.
    const sigsOn =
      requireSigs === true ||
      (requireSigs === undefined && boolAt(facts, "nix.requireSignedBinaryCaches") === true);
    const problems: string[] = [];
    if (!sigsOn) problems.push("require-sigs is not true");
    if (insecure.length > 0) problems.push(`unauthenticated substituters: ${insecure.join(", ")}`);
    if (substituters.length > 0 && keys.length === 0) problems.push("no trusted-public-keys");
    return verdict(
      problems.length === 0,
      {
        "require-sigs": requireSigs ?? null,
        substituters,
        "trusted-public-keys": keys.length,
        insecure,
      },
      {
        "require-sigs": true,
        substituters: "https:// (or file://, ssh://, s3://) only",
        "trusted-public-keys": ">= 1",
      },
      "signatures required; substituters authenticated",
      problems.join("; "),
    );
  },
  remediation:
    'nix.settings.require-sigs = true; nix.settings.substituters = [ "https://cache.nixos.org" … ]; nix.settings.trusted-public-keys = [ "cache.nixos.org-1:…" ];',
});
