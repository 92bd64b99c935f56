/** The compiled CLI (`npm run build` → dist/cli/main.js) as a real process. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { nixEnv } from "./nix.js";
import { type Finished, type Managed, runToEnd, type SpawnOptions, spawnManaged } from "./processes.js";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(REPO_ROOT, "dist", "cli", "main.js");

/** Fails with a clear message when the CLI was not built (the suite runs `npm run build` first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` before the end-to-end tests`);
}

/** Runs `nixfleet …` to completion. The environment defaults to process.env plus the project's NIX_CONFIG. */
export function runCli(
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Finished> {
  requireBuiltCli();
  return runToEnd([process.execPath, CLI, ...args], { env: nixEnv(), ...options });
}

/** Starts a long-running `nixfleet …` (server, agent, demo --keep-running), stopped at cleanup. */
export function spawnCli(name: string, args: string[], options: SpawnOptions = {}): Managed {
  requireBuiltCli();
  return spawnManaged(name, [process.execPath, CLI, ...args], { env: nixEnv(), ...options });
}

/** Parses a command's --json stdout, with the output in the error when it is not JSON. */
export function parseJson<T>(finished: Finished): T {
  try {
    return JSON.parse(finished.stdout) as T;
  } catch {
    throw new Error(
      `not JSON (exit ${finished.code})\n--- stdout\n${finished.stdout}\n--- stderr\n${finished.stderr}`,
    );
  }
}
