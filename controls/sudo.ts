/** Which sudo implementation the configuration uses: NixOS has security.sudo and security.sudo-rs. */
import { boolAt, listAt, stringAt } from "./check.js";
import type { Facts } from "./types.js";

export interface SudoConfig {
  /** Option prefix in use: "security.sudo" or "security.sudo-rs". */
  prefix: "security.sudo" | "security.sudo-rs";
  wheelNeedsPassword: boolean | undefined;
  execWheelOnly: boolean | undefined;
  extraRules: unknown[];
  extraConfig: string;
}

/** The enabled sudo, or undefined when neither is (then sudo controls are not applicable). */
export function sudoConfig(facts: Facts): SudoConfig | undefined {
  for (const prefix of ["security.sudo-rs", "security.sudo"] as const) {
    if (boolAt(facts, `${prefix}.enable`) !== true) continue;
    return {
      prefix,
      wheelNeedsPassword: boolAt(facts, `${prefix}.wheelNeedsPassword`),
      execWheelOnly: boolAt(facts, `${prefix}.execWheelOnly`),
      extraRules: listAt(facts, `${prefix}.extraRules`),
      extraConfig: stringAt(facts, `${prefix}.extraConfig`) ?? "",
    };
  }
  return undefined;
}

/** "Defaults" flags set in sudoers text (e.g. use_pty, umask=0077, !env_reset), in order. */
export function sudoDefaults(extraConfig: string): string[] {
  const out: string[] = [];
  for (const line of extraConfig.split("\n")) {
    const m = /^\s*Defaults\s+(.*)$/.exec(line);
    if (!m) continue;
    for (const item of m[1]!.split(",")) out.push(item.trim().replace(/\s*=\s*/, "="));
  }
  return out;
}
