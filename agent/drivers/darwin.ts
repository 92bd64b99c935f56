/**
 * nix-darwin: nix-env --set on the system profile, then `<path>/activate` in the foreground (the agent runs as a
 * launchd daemon; activate reloads launchd jobs, not its caller). Systems built by older nix-darwin also carry
 * `activate-user`, which darwin-rebuild ran first; we do the same when it exists.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NixProfileDriver } from "./nix-profile.js";

export class DarwinDriver extends NixProfileDriver {
  readonly platform = "darwin" as const;
  protected readonly entryPoint = "activate";

  protected override preActivation(storePath: string): string[][] {
    const perUser = join(storePath, "activate-user");
    return existsSync(perUser) ? [[perUser]] : [];
  }
}
