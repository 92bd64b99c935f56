/** Picks the driver for the configured platform. */
import type { ResolvedAgentConfig } from "../config.js";
import { DarwinDriver } from "./darwin.js";
import type { NixProfileDriverOptions } from "./nix-profile.js";
import { NixosDriver } from "./nixos.js";
import type { SystemDriver } from "./types.js";

export function createDriver(config: ResolvedAgentConfig, env: NodeJS.ProcessEnv): SystemDriver {
  const options: NixProfileDriverOptions = {
    profilePath: config.profilePath,
    currentSystemLink: config.currentSystemLink,
    activationCommand: config.activationCommand,
    rollbackActivationCommand: config.rollbackActivationCommand,
    activationTimeoutMs: config.activationTimeoutMs,
    switchLockPath: config.switchLockPath,
    trustedPublicKeys: config.trustedPublicKeys,
    checkSignatures: config.checkSignatures,
    env,
  };
  return config.platform === "darwin" ? new DarwinDriver(options) : new NixosDriver(options);
}
