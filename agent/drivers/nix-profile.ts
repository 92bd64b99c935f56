/** What NixOS and Darwin share: a Nix system profile switched with nix-env, a lock, an activation argv. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describeFailure, runCommand } from "../exec.js";
import type {
  FetchOutcome,
  ProfileGeneration,
  RollbackOutcome,
  SwitchOutcome,
  SystemDriver,
} from "./types.js";

export interface NixProfileDriverOptions {
  profilePath: string;
  currentSystemLink: string;
  activationCommand: string[];
  rollbackActivationCommand: string[];
  activationTimeoutMs: number;
  switchLockPath: string;
  trustedPublicKeys: string[];
  checkSignatures: boolean;
  /** environment for nix and activation (the agent passes its own) */
  env: NodeJS.ProcessEnv;
}

const LOCK_BUSY = 75;

/** A held switch lock; release() lets the holder process exit, which drops the flock. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the switch lock with flock(1): a small holder process keeps the lock for as long as its stdin is open.
 * If the agent dies (even kill -9) the pipe closes, the holder exits and the lock is free again.
 */
export async function acquireSwitchLock(
  lockPath: string,
  env: NodeJS.ProcessEnv,
): Promise<HeldLock | string> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const holder = spawn(
    "flock",
    [
      "--nonblock",
      "--conflict-exit-code",
      String(LOCK_BUSY),
      lockPath,
      "sh",
      "-c",
      "echo held; exec cat >/dev/null",
    ],
    { stdio: ["pipe", "pipe", "pipe"], env },
  );
  return await new Promise<HeldLock | string>((resolvePromise) => {
    let out = "";
    let stderr = "";
    const exited = new Promise<void>((r) => holder.once("close", () => r()));
    holder.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("held"))
        resolvePromise({
          release: async () => {
            holder.stdin.end();
            await exited;
          },
        });
    });
    holder.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    holder.on("error", (err) => resolvePromise(`cannot run flock: ${err.message}`));
    holder.on("close", (code) => {
      if (code === LOCK_BUSY) resolvePromise(`another switch holds the switch lock ${lockPath}`);
      else resolvePromise(`flock ${lockPath} exited ${code}: ${stderr.trim()}`);
    });
  });
}

function readLinkTarget(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

export abstract class NixProfileDriver implements SystemDriver {
  abstract readonly platform: "nixos" | "darwin";
  /** The file every system of this platform has (relative to its store path); checked before switching. */
  protected abstract readonly entryPoint: string;
  /** Commands run before activation, e.g. nix-darwin's per-user step; empty by default. */
  protected preActivation(_storePath: string): string[][] {
    return [];
  }

  constructor(protected readonly options: NixProfileDriverOptions) {}

  async ensurePresent(
    storePath: string,
    cacheUrl: string | null,
    signal?: AbortSignal,
  ): Promise<FetchOutcome> {
    const env = this.options.env;
    const valid = await runCommand(["nix-store", "--check-validity", storePath], { env, signal });
    if (valid.code === 0)
      return { ok: true, fetched: false, detail: `${storePath} is already in the local store` };
    if (valid.spawnError) return { ok: false, reason: `cannot run nix-store: ${valid.spawnError}` };
    if (!cacheUrl)
      return {
        ok: false,
        reason: `${storePath} is not in the local store and no binary cache is configured to fetch it from`,
      };
    const argv = ["nix", "copy", "--from", cacheUrl];
    if (!this.options.checkSignatures) argv.push("--no-check-sigs");
    else if (this.options.trustedPublicKeys.length > 0)
      argv.push("--option", "trusted-public-keys", this.options.trustedPublicKeys.join(" "));
    argv.push(storePath);
    const copy = await runCommand(argv, { env, signal, timeoutMs: this.options.activationTimeoutMs });
    if (copy.code !== 0) return { ok: false, reason: `fetch failed: ${describeFailure(argv, copy)}` };
    const after = await runCommand(["nix-store", "--check-validity", storePath], { env, signal });
    if (after.code !== 0)
      return { ok: false, reason: `${storePath} still missing after nix copy from ${cacheUrl}` };
    return { ok: true, fetched: true, detail: `copied ${storePath} from ${cacheUrl}` };
  }

  profileStorePath(): string | null {
    return readLinkTarget(this.options.profilePath);
  }

  currentSystem(): string | null {
    return readLinkTarget(this.options.currentSystemLink);
  }

  /** Generations are the `<profile>-N-link` links next to the profile, as nix-env names them. */
  generations(): ProfileGeneration[] {
    const dir = dirname(resolve(this.options.profilePath));
    const name = basename(this.options.profilePath);
    let current: string | null = null;
    try {
      current = readlinkSync(this.options.profilePath);
    } catch {
      current = null;
    }
    const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)-link$`);
    const found: ProfileGeneration[] = [];
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    for (const entry of entries) {
      const m = pattern.exec(entry);
      if (!m) continue;
      const storePath = readLinkTarget(join(dir, entry));
      if (!storePath) continue;
      found.push({
        generation: Number(m[1]),
        storePath,
        current: current !== null && basename(current) === entry,
      });
    }
    return found.sort((a, b) => a.generation - b.generation);
  }

  protected activationArgv(template: string[], storePath: string): string[] {
    return template.map((part) => part.replaceAll("{path}", storePath));
  }

  /** Waits until the current-system link points at `storePath`, or the deadline passes. */
  protected async waitForCurrentSystem(
    storePath: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    for (;;) {
      if (this.currentSystem() === storePath) return true;
      if (Date.now() >= deadline || signal?.aborted) return false;
      await sleep(100);
    }
  }

  private async activate(
    template: string[],
    storePath: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const deadline = Date.now() + this.options.activationTimeoutMs;
    for (const pre of this.preActivation(storePath)) {
      const out = await runCommand(pre, {
        env: this.options.env,
        signal,
        timeoutMs: this.options.activationTimeoutMs,
      });
      if (out.code !== 0) return `activation failed: ${describeFailure(pre, out)}`;
    }
    const argv = this.activationArgv(template, storePath);
    const run = await runCommand(argv, {
      env: this.options.env,
      signal,
      timeoutMs: this.options.activationTimeoutMs,
    });
    if (run.code !== 0) return `activation failed: ${describeFailure(argv, run)}`;
    // On a real host the switch runs detached (systemd-run): the link flips when it is done.
    if (!(await this.waitForCurrentSystem(storePath, deadline, signal)))
      return `activation did not make ${this.options.currentSystemLink} point at ${storePath} within ${this.options.activationTimeoutMs} ms (it points at ${this.currentSystem() ?? "nothing"})`;
    return null;
  }

  async switchTo(storePath: string, signal?: AbortSignal): Promise<SwitchOutcome> {
    if (!existsSync(join(storePath, this.entryPoint)))
      return {
        ok: false,
        refused: true,
        changedProfile: false,
        reason: `${storePath} is not a ${this.platform} system: it has no ${this.entryPoint}`,
      };
    const lock = await acquireSwitchLock(this.options.switchLockPath, this.options.env);
    if (typeof lock === "string") return { ok: false, refused: true, changedProfile: false, reason: lock };
    try {
      mkdirSync(dirname(this.options.profilePath), { recursive: true });
      const setArgv = ["nix-env", "-p", this.options.profilePath, "--set", storePath];
      const set = await runCommand(setArgv, { env: this.options.env, signal });
      if (set.code !== 0)
        return { ok: false, refused: false, changedProfile: false, reason: describeFailure(setArgv, set) };
      const failure = await this.activate(this.options.activationCommand, storePath, signal);
      if (failure) return { ok: false, refused: false, changedProfile: true, reason: failure };
      return { ok: true, detail: `profile ${this.options.profilePath} set to ${storePath} and activated` };
    } finally {
      await lock.release();
    }
  }

  async rollbackTo(previousStorePath: string, signal?: AbortSignal): Promise<RollbackOutcome> {
    const lock = await acquireSwitchLock(this.options.switchLockPath, this.options.env);
    if (typeof lock === "string") return { ok: false, reason: lock };
    try {
      const env = this.options.env;
      if (this.profileStorePath() !== previousStorePath) {
        const rollbackArgv = ["nix-env", "-p", this.options.profilePath, "--rollback"];
        const rb = await runCommand(rollbackArgv, { env, signal });
        if (rb.code !== 0) return { ok: false, reason: describeFailure(rollbackArgv, rb) };
        if (this.profileStorePath() !== previousStorePath) {
          // The profile's previous generation is not the one we left (someone switched in between):
          // go to the newest generation that holds the recorded previous path instead.
          const target = this.generations()
            .filter((g) => g.storePath === previousStorePath)
            .pop();
          if (!target)
            return {
              ok: false,
              reason: `no generation of ${this.options.profilePath} holds ${previousStorePath}`,
            };
          const sw = [
            "nix-env",
            "-p",
            this.options.profilePath,
            "--switch-generation",
            String(target.generation),
          ];
          const out = await runCommand(sw, { env, signal });
          if (out.code !== 0) return { ok: false, reason: describeFailure(sw, out) };
        }
      }
      const failure = await this.activate(this.options.rollbackActivationCommand, previousStorePath, signal);
      if (failure) return { ok: false, reason: `rollback ${failure}` };
      return {
        ok: true,
        detail: `profile ${this.options.profilePath} back at ${previousStorePath} and activated`,
      };
    } finally {
      await lock.release();
    }
  }
}
