/** Picks the driver: Nix for the configured platform, or the simulated one when the configuration asks for it. */
import type { ResolvedAgentConfig } from "../config.js";
import { DarwinDriver } from "./darwin.js";
import type { NixProfileDriverOptions } from "./nix-profile.js";
import { NixosDriver } from "./nixos.js";
import { SimulatedDriver } from "./simulated.js";
import type { SystemDriver } from "./types.js";

export function createDriver(config: ResolvedAgentConfig, env: NodeJS.ProcessEnv): SystemDriver {
  if (config.driver === "simulated") {
    // loadAgentConfig refuses driver simulated without a store directory; resolveDefaults alone does not check
    if (!config.simulatedStoreDir) throw new Error("driver simulated needs simulatedStoreDir");
    return new SimulatedDriver({
      platform: config.platform,
      storeDir: config.simulatedStoreDir,
      profilePath: config.profilePath,
      currentSystemLink: config.currentSystemLink,
      activationCommand: config.activationCommand,
      rollbackActivationCommand: config.rollbackActivationCommand,
      activationTimeoutMs: config.activationTimeoutMs,
      switchLockPath: config.switchLockPath,
      env,
    });
  }
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
