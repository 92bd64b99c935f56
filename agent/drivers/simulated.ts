/**
 * The SIMULATED driver: the agent's SystemDriver without Nix, for the demo on a machine where Nix is absent
 * (docs/adr/0850-simulated-driver.md). It is chosen only by `driver: "simulated"` in the agent configuration,
 * never as a fallback, and it says what it is in every detail and reason it returns (the agent logs them) and
 * in the agent's runtime reports (`driver: "simulated"`).
 *
 * What it simulates is the Nix store and nix-env, nothing else:
 * - a store path `/nix/store/<name>` is the plain directory `<storeDir>/<name>` (release manifests and the
 *   control plane keep their store-path shape; the agent compares the same strings as with Nix);
 * - the profile is nix-env's layout: numbered links `<profile>-N-link` → the generation's directory, and
 *   `<profile>` → `<profile>-N-link`; set = a new numbered link (or the last one when it already holds the
 *   path, as nix-env does), rollback = the previous number;
 * - switch = point the profile and the current-system link at the generation's directory and run its
 *   activation argv (`{path}` = that directory), under the same flock(1) switch lock as the Nix drivers.
 * The activation scripts, health checks and everything around the agent stay real.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  symlinkSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { describeFailure, runCommand } from "../exec.js";
import { acquireSwitchLock } from "./nix-profile.js";
import type {
  FetchOutcome,
  ProfileGeneration,
  RollbackOutcome,
  SwitchOutcome,
  SystemDriver,
} from "./types.js";

/** The prefix store paths keep in manifests and reports; the simulated store maps it to a directory. */
export const NIX_STORE_DIR = "/nix/store";

export interface SimulatedDriverOptions {
  /** the platform the simulated host stands for (its systems' entry point follows it) */
  platform: "nixos" | "darwin";
  /** the directory standing for /nix/store */
  storeDir: string;
  profilePath: string;
  currentSystemLink: string;
  activationCommand: string[];
  rollbackActivationCommand: string[];
  activationTimeoutMs: number;
  switchLockPath: string;
  env: NodeJS.ProcessEnv;
}

/** A numbered generation link as found next to the profile, whether or not its target still exists. */
interface GenerationLink {
  generation: number;
  link: string;
  target: string;
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Replaces (or creates) a symlink atomically: a new link next to it, renamed over it, as Nix does. */
function replaceSymlink(target: string, link: string): void {
  mkdirSync(dirname(link), { recursive: true });
  const temporary = `${link}.tmp-${process.pid}-${Date.now()}`;
  symlinkSync(target, temporary);
  renameSync(temporary, link);
}

export class SimulatedDriver implements SystemDriver {
  /** What this driver is, for logs and reports: never mistaken for a real switch. */
  readonly name = "simulated" as const;
  readonly platform: "nixos" | "darwin";
  private readonly entryPoint: string;

  constructor(private readonly options: SimulatedDriverOptions) {
    this.platform = options.platform;
    this.entryPoint = options.platform === "darwin" ? "activate" : "bin/switch-to-configuration";
  }

  /** The directory of `/nix/store/<name>` in the simulated store, or null when `storePath` is not a store path. */
  directoryOf(storePath: string): string | null {
    const prefix = `${NIX_STORE_DIR}/`;
    if (!storePath.startsWith(prefix)) return null;
    const name = storePath.slice(prefix.length);
    // exactly one path component: a store path names a top-level entry of the store
    if (name === "" || name.includes("/") || name === "." || name === "..") return null;
    return join(resolve(this.options.storeDir), name);
  }

  /** The store path a directory stands for; a directory outside the simulated store is returned as it is. */
  private storePathOf(directory: string): string {
    const store = realpathOrNull(this.options.storeDir) ?? resolve(this.options.storeDir);
    if (dirname(directory) === store) return `${NIX_STORE_DIR}/${basename(directory)}`;
    return directory;
  }

  private resolvedStorePath(link: string): string | null {
    const target = realpathOrNull(link);
    return target === null ? null : this.storePathOf(target);
  }

  async ensurePresent(storePath: string, cacheUrl: string | null): Promise<FetchOutcome> {
    const directory = this.directoryOf(storePath);
    if (directory === null)
      return { ok: false, reason: `simulated driver: ${storePath} is not a path in ${NIX_STORE_DIR}` };
    if (existsSync(directory))
      return {
        ok: true,
        fetched: false,
        detail: `simulated driver (no Nix): ${storePath} is the directory ${directory}`,
      };
    return {
      ok: false,
      reason:
        `simulated driver: ${storePath} is not in the simulated store ${this.options.storeDir}` +
        (cacheUrl ? ` (it cannot fetch from the binary cache ${cacheUrl})` : ""),
    };
  }

  profileStorePath(): string | null {
    return this.resolvedStorePath(this.options.profilePath);
  }

  currentSystem(): string | null {
    return this.resolvedStorePath(this.options.currentSystemLink);
  }

  private generationLinks(): GenerationLink[] {
    const dir = dirname(resolve(this.options.profilePath));
    const name = basename(this.options.profilePath);
    const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)-link$`);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    const links: GenerationLink[] = [];
    for (const entry of entries) {
      const m = pattern.exec(entry);
      if (!m) continue;
      const link = join(dir, entry);
      try {
        links.push({ generation: Number(m[1]), link, target: readlinkSync(link) });
      } catch {
        // not a link: not a generation
      }
    }
    return links.sort((a, b) => a.generation - b.generation);
  }

  /** The generation number the profile points at now, or null. */
  private currentGeneration(): number | null {
    let target: string;
    try {
      target = readlinkSync(this.options.profilePath);
    } catch {
      return null;
    }
    const found = this.generationLinks().find((g) => basename(g.link) === basename(target));
    return found ? found.generation : null;
  }

  generations(): ProfileGeneration[] {
    const current = this.currentGeneration();
    const found: ProfileGeneration[] = [];
    for (const g of this.generationLinks()) {
      const storePath = this.resolvedStorePath(g.link);
      if (storePath === null) continue;
      found.push({ generation: g.generation, storePath, current: g.generation === current });
    }
    return found;
  }

  private pointProfileAt(generation: number): void {
    // relative, as nix-env writes it: the profile directory can move without breaking the chain
    replaceSymlink(`${basename(this.options.profilePath)}-${generation}-link`, this.options.profilePath);
  }

  /**
   * `nix-env -p <profile> --set <storePath>` without Nix: a new numbered generation link, unless the newest one
   * already holds this directory (nix-env reuses it then), and the profile pointed at it. Returns its number.
   */
  setProfile(storePath: string): number {
    const directory = this.directoryOf(storePath);
    if (directory === null || !existsSync(directory))
      throw new Error(
        `simulated driver: ${storePath} is not in the simulated store ${this.options.storeDir}`,
      );
    const links = this.generationLinks();
    const last = links[links.length - 1];
    let generation: number;
    if (last && resolve(dirname(last.link), last.target) === directory) generation = last.generation;
    else {
      generation = (last?.generation ?? 0) + 1;
      const link = join(
        dirname(resolve(this.options.profilePath)),
        `${basename(this.options.profilePath)}-${generation}-link`,
      );
      replaceSymlink(directory, link);
    }
    this.pointProfileAt(generation);
    return generation;
  }

  /** Points the current-system link at the generation's directory and runs the activation argv on it. */
  private async activate(
    template: string[],
    storePath: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const directory = this.directoryOf(storePath) as string;
    replaceSymlink(directory, this.options.currentSystemLink);
    const argv = template.map((part) => part.replaceAll("{path}", directory));
    const run = await runCommand(argv, {
      env: this.options.env,
      signal,
      timeoutMs: this.options.activationTimeoutMs,
    });
    if (run.code !== 0) return `simulated activation failed: ${describeFailure(argv, run)}`;
    // the activation script may move the link itself (the demo's do, like switch-to-configuration): it must
    // end up at the generation just activated
    const now = this.currentSystem();
    if (now !== storePath)
      return `simulated activation left ${this.options.currentSystemLink} at ${now ?? "nothing"}, not ${storePath}`;
    return null;
  }

  async switchTo(storePath: string, signal?: AbortSignal): Promise<SwitchOutcome> {
    const directory = this.directoryOf(storePath);
    if (directory === null || !existsSync(directory))
      return {
        ok: false,
        refused: true,
        changedProfile: false,
        reason: `simulated driver: ${storePath} is not in the simulated store ${this.options.storeDir}`,
      };
    if (!existsSync(join(directory, this.entryPoint)))
      return {
        ok: false,
        refused: true,
        changedProfile: false,
        reason: `${storePath} is not a ${this.platform} system: it has no ${this.entryPoint}`,
      };
    const lock = await acquireSwitchLock(this.options.switchLockPath, this.options.env);
    if (typeof lock === "string") return { ok: false, refused: true, changedProfile: false, reason: lock };
    try {
      const generation = this.setProfile(storePath);
      const failure = await this.activate(this.options.activationCommand, storePath, signal);
      if (failure) return { ok: false, refused: false, changedProfile: true, reason: failure };
      return {
        ok: true,
        detail: `simulated switch (no Nix): profile ${this.options.profilePath} generation ${generation} is ${directory}, activated`,
      };
    } finally {
      await lock.release();
    }
  }

  async rollbackTo(previousStorePath: string, signal?: AbortSignal): Promise<RollbackOutcome> {
    const directory = this.directoryOf(previousStorePath);
    if (directory === null || !existsSync(directory))
      return {
        ok: false,
        reason: `simulated driver: ${previousStorePath} is not in the simulated store ${this.options.storeDir}`,
      };
    const lock = await acquireSwitchLock(this.options.switchLockPath, this.options.env);
    if (typeof lock === "string") return { ok: false, reason: lock };
    try {
      if (this.profileStorePath() !== previousStorePath) {
        // nix-env --rollback: the generation numbered just below the current one
        const current = this.currentGeneration();
        const earlier = this.generationLinks().filter((g) => current === null || g.generation < current);
        const previous = earlier[earlier.length - 1];
        if (previous) this.pointProfileAt(previous.generation);
        if (this.profileStorePath() !== previousStorePath) {
          // someone switched in between: the newest generation holding the recorded path, as the Nix driver does
          const target = this.generations()
            .filter((g) => g.storePath === previousStorePath)
            .pop();
          if (!target)
            return {
              ok: false,
              reason: `simulated driver: no generation of ${this.options.profilePath} holds ${previousStorePath}`,
            };
          this.pointProfileAt(target.generation);
        }
      }
      const failure = await this.activate(this.options.rollbackActivationCommand, previousStorePath, signal);
      if (failure) return { ok: false, reason: `rollback ${failure}` };
      return {
        ok: true,
        detail: `simulated rollback (no Nix): profile ${this.options.profilePath} back at ${directory}, activated`,
      };
    } finally {
      await lock.release();
    }
  }
}
