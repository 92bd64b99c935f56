import { defineControl } from "../check.js";
import { lockAgeCheck, UPDATE_MAPPINGS } from "../updates.js";

/** R61: the pinned nixpkgs is at most 30 days old, so security fixes reach the host within a month. */
export const control = defineControl({
  id: "updates-lock-fresh",
  title: "nixpkgs lock is at most 30 days old",
  severity: "high",
  level: "minimal",
  platforms: ["nixos", "darwin"],
  mappings: UPDATE_MAPPINGS,
  eval: (facts) => lockAgeCheck(facts, 30),
  remediation: "nix flake update nixpkgs (weekly in CI), or system.autoUpgrade.enable = true;",
});
