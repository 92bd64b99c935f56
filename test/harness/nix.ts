/**
 * Real Nix for end-to-end tests: the project's NIX_CONFIG, and small test systems built with nix-build (store
 * paths with bin/switch-to-configuration that flips a test current-system link and appends to a marker file).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** process.env plus the project's NIX_CONFIG (no sandbox, no build users, flakes) and no network substituters. */
export function nixEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = process.env.NIX_CONFIG ?? "";
  const needed = ["sandbox = false", "build-users-group =", "experimental-features = nix-command flakes"];
  const config = [...needed.filter((line) => !base.includes(line)), base, "substituters ="].join("\n");
  return { ...process.env, NIX_CONFIG: config, ...extra };
}

/**
 * How a test system behaves. good: activation points the link at it; `bin/health` exits 0.
 * unhealthy: activates, but `bin/health` exits 1. bad-activation: switch-to-configuration exits 1.
 */
export type SystemBehaviour = "good" | "unhealthy" | "bad-activation";

// Every path is baked into the derivation, so each test's systems are distinct store paths.
const SYSTEM_NIX = `
{ tag, link, marker, behaviour ? "good", sleepSeconds ? "0", system ? builtins.currentSystem }:
builtins.derivation {
  name = "nixfleet-e2e-system-\${tag}";
  inherit system;
  builder = "/bin/sh";
  inherit link marker behaviour tag sleepSeconds;
  args = [ "-c" ''
    /bin/mkdir -p $out/bin
    {
      echo '#!/bin/sh'
      echo "echo \\"$tag \\$*\\" >> $marker"
      if [ "$sleepSeconds" != 0 ]; then echo "sleep $sleepSeconds"; fi
      if [ "$behaviour" = bad-activation ]; then echo 'echo "activation of '"$tag"' failed on purpose" >&2; exit 1'; fi
      echo "/bin/mkdir -p \\$(/usr/bin/dirname $link)"
      echo "/bin/ln -sfn $out $link"
    } > $out/bin/switch-to-configuration
    {
      echo '#!/bin/sh'
      if [ "$behaviour" = unhealthy ]; then echo 'echo "'"$tag"' is unhealthy on purpose" >&2; exit 1'; fi
      echo 'exit 0'
    } > $out/bin/health
    /bin/cp $out/bin/switch-to-configuration $out/activate
    /bin/chmod +x $out/bin/switch-to-configuration $out/bin/health $out/activate
    echo "$tag" > $out/nixos-version
  '' ];
}
`;

/** A place for one machine's test systems: its profile, current-system link and activation marker. */
export interface TestHost {
  dir: string;
  profile: string;
  currentLink: string;
  marker: string;
}

/** Creates the directories of a test host under `dir`. */
export function makeTestHost(dir: string): TestHost {
  mkdirSync(join(dir, "profiles"), { recursive: true });
  mkdirSync(join(dir, "run"), { recursive: true });
  writeFileSync(join(dir, "system.nix"), SYSTEM_NIX);
  return {
    dir,
    profile: join(dir, "profiles", "system"),
    currentLink: join(dir, "run", "current-system"),
    marker: join(dir, "activations.log"),
  };
}

/** Builds a test system with nix-build and returns its store path. */
export function buildTestSystem(
  host: TestHost,
  tag: string,
  behaviour: SystemBehaviour = "good",
  sleepSeconds = 0,
): string {
  const unique = `${tag}-${host.dir.split("/").filter(Boolean).join("-").slice(-40)}`;
  const out = execFileSync(
    "nix-build",
    [
      join(host.dir, "system.nix"),
      "--no-out-link",
      ...["--argstr", "tag", unique.replace(/[^A-Za-z0-9+._?=-]/g, "-")],
      ...["--argstr", "link", host.currentLink],
      ...["--argstr", "marker", host.marker],
      ...["--argstr", "behaviour", behaviour],
      ...["--argstr", "sleepSeconds", String(sleepSeconds)],
    ],
    { env: nixEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return out.trim();
}

/** The Nix system double of this machine (what builtins.currentSystem says), for pure flake evaluation. */
export function currentSystem(): string {
  return execFileSync("nix-instantiate", ["--eval", "--expr", "builtins.currentSystem", "--json"], {
    env: nixEnv(),
    encoding: "utf8",
  })
    .trim()
    .replace(/"/g, "");
}

/** Puts a host on `storePath` as its first generation, the way an installer would. */
export function installInitialSystem(host: TestHost, storePath: string): void {
  execFileSync("nix-env", ["-p", host.profile, "--set", storePath], { env: nixEnv(), stdio: "ignore" });
  execFileSync(join(storePath, "bin", "switch-to-configuration"), ["boot"], {
    env: nixEnv(),
    stdio: "ignore",
  });
}

/** The profile's generations as nix-env lists them: number and whether it is current. */
export function profileGenerations(profile: string): { generation: number; current: boolean }[] {
  const out = execFileSync("nix-env", ["-p", profile, "--list-generations"], {
    env: nixEnv(),
    encoding: "utf8",
  });
  return out
    .split("\n")
    .map((line) => /^\s*(\d+)\s.*?(\(current\))?\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ generation: Number(m[1]), current: m[2] !== undefined }));
}
