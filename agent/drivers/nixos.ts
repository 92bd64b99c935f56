/** NixOS: nix-env --set on the system profile, then switch-to-configuration (detached via systemd-run by default). */
import { NixProfileDriver } from "./nix-profile.js";

export class NixosDriver extends NixProfileDriver {
  readonly platform = "nixos" as const;
  protected readonly entryPoint = "bin/switch-to-configuration";
}
