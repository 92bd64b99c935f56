/** Spawning the compiled CLI (dist/cli/main.js, built by `npm run build`) and servers from it, over real sockets. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli", "main.js");

const execFileP = promisify(execFile);

export function tempDir(prefix = "nixfleet-api-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `nixfleet …` and resolves with its exit code and output (never rejects on a non-zero exit). */
export async function nixfleet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  requireBuild();
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [CLI, ...args], {
      env: { ...process.env, NIXFLEET_URL: "", NIXFLEET_TOKEN: "", ...env },
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>;
}

/** Starts `nixfleet server --json …` and waits for its listening line. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  requireBuild();
  const child = spawn(process.execPath, [CLI, "server", "--json", "--log-level", "warn", ...args], {
    env: { ...process.env, ...env },
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      out += d.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) {
        clearTimeout(timer);
        const info = JSON.parse(line) as { url: string; port: number };
        resolvePromise({
          child,
          url: info.url,
          port: info.port,
          output: () => out,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}
