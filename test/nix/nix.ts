/**
 * Running real Nix from the Nix framework's tests: evaluation with nix-instantiate (no nixpkgs, no network),
 * parsing, and the stand-ins the tests share. Every helper passes the process environment through, with the
 * project's NIX_CONFIG added when the tests run outside scripts/test.sh.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The environment Nix runs in: the caller's, with scripts/nix-env.sh's settings when they are missing. */
export function nixEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.NIX_CONFIG?.includes("nix-command")) {
    env.NIX_CONFIG = `sandbox = false\nbuild-users-group =\nexperimental-features = nix-command flakes\n${env.NIX_CONFIG ?? ""}`;
  }
  return env;
}

export interface NixRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runNix(command: string, args: string[]): NixRun {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    env: nixEnv(),
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Evaluates a Nix expression strictly and returns its JSON value; throws with Nix's error text on failure. */
export function evalJson<T>(expression: string): T {
  const run = runNix("nix-instantiate", ["--eval", "--strict", "--json", "--expr", expression]);
  if (run.status !== 0) throw new Error(`nix-instantiate failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Evaluates an expression that must fail; returns Nix's error text. */
export function evalFailure(expression: string): string {
  const run = runNix("nix-instantiate", ["--eval", "--strict", "--json", "--expr", expression]);
  if (run.status === 0) throw new Error(`expected the evaluation to fail, it printed ${run.stdout}`);
  return run.stderr;
}

/** A Nix string literal for a text (for splicing file paths and fixture values into expressions). */
export function nixString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, "\\${");
}

/** A Nix path expression for a file of the repository. */
export function repoPath(relative: string): string {
  return `(${resolve(repoRoot, relative)})`;
}

/**
 * Nix prelude the tests share: the stand-in evaluator, stand-in packages, and recording stand-ins for
 * nixpkgs and nix-darwin whose nixosSystem / darwinSystem return what they were called with.
 */
export const prelude = `
  standinEval = (import ${repoPath("nix/lib/standin/eval.nix")} { });
  standinPkgs = import ${repoPath("test/nix/fixtures/standin-pkgs.nix")};
  # nixpkgs' own mkDefault, exactly: lib/modules.nix has mkOverride = priority: content: { _type = "override"; inherit priority content; }.
  recordingNixpkgs = {
    lib = {
      nixosSystem = args: { recordedBy = "nixosSystem"; inherit args; };
      mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
    };
    legacyPackages = builtins.listToAttrs (map (system: {
      name = system;
      value.callPackage = path: args: { recordedBy = "callPackage"; inherit system args; path = toString path; };
    }) [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]);
  };
  recordingNixDarwin = {
    lib.darwinSystem = args: { recordedBy = "darwinSystem"; inherit args; };
  };
  flakeOutputs = let outputs = (import ${repoPath("flake.nix")}).outputs {
    self = outputs; nixpkgs = recordingNixpkgs; nix-darwin = recordingNixDarwin;
  }; in outputs;
`;

/** Wraps an expression in the shared prelude. */
export function withPrelude(expression: string): string {
  return `let ${prelude} in ${expression}`;
}
