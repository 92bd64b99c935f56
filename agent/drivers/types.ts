/** The one interface behind which NixOS and Darwin differ. */

export interface ProfileGeneration {
  generation: number;
  storePath: string;
  current: boolean;
}

export type FetchOutcome = { ok: true; fetched: boolean; detail: string } | { ok: false; reason: string };

export type SwitchOutcome =
  | { ok: true; detail: string }
  /** refused: nothing was changed (the switch lock was held by someone else) */
  | { ok: false; refused: boolean; changedProfile: boolean; reason: string };

export type RollbackOutcome = { ok: true; detail: string } | { ok: false; reason: string };

export interface SystemDriver {
  readonly platform: "nixos" | "darwin";
  /** Makes sure the store path is in the local store, copying it from the cache when missing. */
  ensurePresent(storePath: string, cacheUrl: string | null, signal?: AbortSignal): Promise<FetchOutcome>;
  /** The store path the system profile points at now (null when the profile does not exist yet). */
  profileStorePath(): string | null;
  /** The store path the current-system link points at (null when absent). */
  currentSystem(): string | null;
  /** Every generation of the system profile found on disk. */
  generations(): ProfileGeneration[];
  /** Sets the profile to `storePath`, activates it and waits until the current-system link points at it. */
  switchTo(storePath: string, signal?: AbortSignal): Promise<SwitchOutcome>;
  /** Returns the profile to `previousStorePath` (its previous generation) and activates it. */
  rollbackTo(previousStorePath: string, signal?: AbortSignal): Promise<RollbackOutcome>;
}
