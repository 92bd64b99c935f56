import { defineControl } from "../check.js";
import { lockAgeCheck, UPDATE_MAPPINGS } from "../updates.js";

/** Essential entities (NIS2 Annex I) are held to a tighter patch window: 14 days. */
export const control = defineControl({
  id: "updates-lock-fresh-essential",
  title: "nixpkgs lock is at most 14 days old (NIS2 essential entities)",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  nis2Entities: ["essential"],
  mappings: UPDATE_MAPPINGS,
  eval: (facts) => lockAgeCheck(facts, 14),
  remediation:
    "nix flake update nixpkgs at least every two weeks (a scheduled CI job), or system.autoUpgrade.enable = true;",
});
