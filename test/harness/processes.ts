/**
 * Real child processes for multi-process scenarios (control plane, agents, CLI, sshd): output captured, waiting
 * for a line, kill -9 or SIGTERM by process group, and everything still running stopped at cleanup.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { onCleanup } from "./temp.js";

export interface Managed {
  name: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves with the exit code (or null when killed by a signal) */
  exited: Promise<number | null>;
  running(): boolean;
  /** waits until stdout or stderr matches; rejects with the output so far when the process exits or time runs out */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGKILL to the whole process group (the process and what it started) */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts argv as its own process group (so kill9 takes its children too) and stops it at cleanup. */
export function spawnManaged(name: string, argv: string[], options: SpawnOptions = {}): Managed {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty argv");
  const child = spawn(file, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  let alive = true;
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => {
      alive = false;
      resolve(code);
    });
    child.once("error", () => {
      alive = false;
      resolve(null);
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (!alive || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  const managed: Managed = {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    running: () => alive,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(pattern) ?? err.match(pattern);
        if (m) return m;
        if (!alive)
          throw new Error(
            `${name} exited before printing ${pattern}\n--- stdout\n${out}\n--- stderr\n${err}`,
          );
        if (Date.now() > deadline)
          throw new Error(
            `${name} did not print ${pattern} within ${timeoutMs} ms\n--- stdout\n${out}\n--- stderr\n${err}`,
          );
        await sleep(50);
      }
    },
    async kill9() {
      signalGroup("SIGKILL");
      await exited;
    },
    async stop(graceMs = 5000) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  onCleanup(async () => {
    if (alive) await managed.stop(2000);
  });
  return managed;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion (with a time limit) and returns its exit code and output. */
export async function runToEnd(
  argv: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Finished> {
  const managed = spawnManaged(argv[0] ?? "?", argv, options);
  const timer = setTimeout(() => void managed.kill9(), options.timeoutMs ?? 120_000);
  const code = await managed.exited;
  clearTimeout(timer);
  return { code, stdout: managed.stdout(), stderr: managed.stderr() };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what` after the timeout. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    await sleep(intervalMs);
  }
}
