/** Runs an external command (nix, systemctl, activation scripts) with a timeout, capturing its output. */
import { spawn } from "node:child_process";

export interface CommandOutcome {
  /** exit code, or null when the command could not start or was killed */
  code: number | null;
  stdout: string;
  stderr: string;
  /** set when the command could not be started (ENOENT, EACCES, …) */
  spawnError: string | null;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** bytes of output kept per stream; the tail is kept because errors come last */
  maxOutput?: number;
}

/** Runs argv[0] with argv[1..] (no shell). Never throws; the outcome says what happened. */
export function runCommand(argv: string[], options: RunOptions = {}): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  const maxOutput = options.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    if (!file) {
      resolve({ code: null, stdout: "", stderr: "", spawnError: "empty command", timedOut: false });
      return;
    }
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, {
      // Callers pass the environment the agent was configured with; the default is for ad-hoc use only.
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    const keep = (acc: string, chunk: Buffer) => {
      const next = acc + chunk.toString("utf8");
      return next.length > maxOutput ? next.slice(next.length - maxOutput) : next;
    };
    child.stdout.on("data", (c: Buffer) => {
      stdout = keep(stdout, c);
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr = keep(stderr, c);
    });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs)
        : null;
    const finish = (outcome: CommandOutcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.name === "AbortError") {
        finish({ code: null, stdout, stderr, spawnError: "aborted", timedOut });
        return;
      }
      finish({ code: null, stdout, stderr, spawnError: `${file}: ${err.code ?? err.message}`, timedOut });
    });
    child.on("close", (code) => finish({ code, stdout, stderr, spawnError: null, timedOut }));
  });
}

/** A short human description of a failed command for reports. */
export function describeFailure(argv: string[], outcome: CommandOutcome): string {
  const cmd = argv.join(" ");
  if (outcome.spawnError) return `${cmd}: could not start (${outcome.spawnError})`;
  if (outcome.timedOut) return `${cmd}: timed out`;
  const tail = (outcome.stderr.trim() || outcome.stdout.trim()).split("\n").slice(-3).join(" | ");
  return `${cmd}: exit ${outcome.code}${tail ? `: ${tail}` : ""}`;
}
