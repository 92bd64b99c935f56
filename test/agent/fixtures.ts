/** Test fixtures for the agent: real Nix test systems, temporary profiles, a fake /proc tree, fake systemctl. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type ResolvedAgentConfig, resolveDefaults } from "../../agent/config.js";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";

/** process.env plus the project's NIX_CONFIG (no sandbox, no build users) and no network substituters. */
export function nixEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = process.env.NIX_CONFIG ?? "";
  const needed = ["sandbox = false", "build-users-group =", "experimental-features = nix-command flakes"];
  const config = [...needed.filter((line) => !base.includes(line)), base, "substituters ="].join("\n");
  return { ...process.env, NIX_CONFIG: config, ...extra };
}

// The test system: a store path with bin/switch-to-configuration (NixOS) and activate (Darwin). Both append
// a line to a marker file; a good one points the test's current-system link at itself, a bad one exits 1, a
// slow one sleeps first. Paths are baked in so each test gets its own store paths.
const SYSTEM_NIX = `
{ tag, link, marker, behaviour ? "good", sleepSeconds ? "0" }:
builtins.derivation {
  name = "nixfleet-test-system-\${tag}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  inherit link marker behaviour tag sleepSeconds;
  args = [ "-c" ''
    /bin/mkdir -p $out/bin
    script() {
      echo '#!/bin/sh'
      echo "echo \\"$tag \\$0 \\$*\\" >> $marker"
      if [ "$sleepSeconds" != 0 ]; then echo "sleep $sleepSeconds"; fi
      if [ "$behaviour" = bad ]; then echo 'echo "activation of '"$tag"' failed on purpose" >&2; exit 1'; fi
      echo "ln -sfn $out $link"
    }
    script > $out/bin/switch-to-configuration
    script > $out/activate
    /bin/chmod +x $out/bin/switch-to-configuration $out/activate
    echo "$tag" > $out/nixos-version
  '' ];
}
`;

export interface TestMachine {
  dir: string;
  profile: string;
  currentLink: string;
  marker: string;
  stateDir: string;
  root: string;
  lock: string;
  binDir: string;
  env: NodeJS.ProcessEnv;
}

/** A temporary machine: profile dir, current-system link, marker, fake root, fake systemctl first on PATH. */
export function makeTestMachine(prefix = "nixfleet-agent-"): TestMachine {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const machine: TestMachine = {
    dir,
    profile: join(dir, "profiles", "system"),
    currentLink: join(dir, "run", "current-system"),
    marker: join(dir, "activations.log"),
    stateDir: join(dir, "state"),
    root: join(dir, "root"),
    lock: join(dir, "run", "switch.lock"),
    binDir: join(dir, "bin"),
    env: {},
  };
  mkdirSync(join(dir, "profiles"), { recursive: true });
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(machine.binDir, { recursive: true });
  writeFileSync(join(dir, "system.nix"), SYSTEM_NIX);
  writeFakeRoot(machine.root);
  writeFakeSystemctl(machine.binDir, join(dir, "units"));
  machine.env = nixEnv({ PATH: `${machine.binDir}${delimiter}${process.env.PATH ?? ""}` });
  return machine;
}

/** Builds a test system with nix-build; returns its store path. */
export function buildSystem(
  machine: TestMachine,
  tag: string,
  behaviour: "good" | "bad" = "good",
  sleepSeconds = 0,
): string {
  const out = execFileSync(
    "nix-build",
    [
      join(machine.dir, "system.nix"),
      "--no-out-link",
      "--argstr",
      "tag",
      `${tag}-${machine.dir.split("/").pop()}`,
      "--argstr",
      "link",
      machine.currentLink,
      "--argstr",
      "marker",
      machine.marker,
      "--argstr",
      "behaviour",
      behaviour,
      "--argstr",
      "sleepSeconds",
      String(sleepSeconds),
    ],
    { env: machine.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return out.trim();
}

/** Puts the machine on `storePath` as its first generation, the way an installer would. */
export function installInitialSystem(machine: TestMachine, storePath: string): void {
  execFileSync("nix-env", ["-p", machine.profile, "--set", storePath], { env: machine.env, stdio: "ignore" });
  execFileSync(join(storePath, "bin", "switch-to-configuration"), ["boot"], {
    env: machine.env,
    stdio: "ignore",
  });
}

/** A fake /proc with sysctl, cmdline, mounts, sockets and boot id, in the formats the kernel uses. */
export function writeFakeRoot(root: string): void {
  const put = (rel: string, text: string) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  put("proc/sys/kernel/kptr_restrict", "2\n");
  put("proc/sys/kernel/dmesg_restrict", "1\n");
  put("proc/sys/net/ipv4/ip_forward", "0\n");
  put("proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
  put("proc/sys/kernel/random/boot_id", "0f4c6b8e-3d2a-4c1b-9f7e-2a5d8c6b1e90\n");
  put(
    "proc/cmdline",
    'BOOT_IMAGE=/boot/vmlinuz init=/nix/store/x-nixos/init lockdown=confidentiality quiet "acpi_osi=Windows 2020"\n',
  );
  put(
    "proc/mounts",
    [
      "/dev/sda1 / ext4 rw,relatime 0 0",
      "tmpfs /tmp tmpfs rw,nosuid,nodev,noexec 0 0",
      "/dev/sda2 /mnt/with\\040space vfat ro,noexec 0 0",
      "",
    ].join("\n"),
  );
  const header =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  put(
    "proc/net/tcp",
    header +
      "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0\n" +
      "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0\n" +
      "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 0\n",
  );
  put(
    "proc/net/tcp6",
    header +
      "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0\n" +
      "   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0\n",
  );
  put(
    "proc/net/udp",
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
      "  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 3001 2 0000000000000000 0\n" +
      "  101: 0F02000A:9C40 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 3002 2 0000000000000000 0\n",
  );
}

/**
 * A fake `systemctl` (systemd cannot run here) behind the real command line: `is-active UNIT` answers from
 * <unitsDir>/UNIT (a file holding the state; absent → unknown unit, exit 4), `list-units --state=failed`
 * lists units whose state is failed.
 */
export function writeFakeSystemctl(binDir: string, unitsDir: string): void {
  mkdirSync(unitsDir, { recursive: true });
  const script = `#!/bin/sh
units='${unitsDir}'
case "$1" in
  is-active)
    if [ ! -f "$units/$2" ]; then echo inactive; echo "Unit $2 could not be found." >&2; exit 4; fi
    state=$(cat "$units/$2"); echo "$state"
    [ "$state" = active ] && exit 0 || exit 3 ;;
  list-units)
    for f in "$units"/*; do
      [ -f "$f" ] || continue
      if [ "$(cat "$f")" = failed ]; then echo "$(basename "$f") loaded failed failed fake unit"; fi
    done
    exit 0 ;;
  *) echo "fake systemctl: unsupported $*" >&2; exit 1 ;;
esac
`;
  writeFileSync(join(binDir, "systemctl"), script);
  chmodSync(join(binDir, "systemctl"), 0o755);
}

/** Sets a fake unit's state for the fake systemctl. */
export function setUnitState(
  machine: TestMachine,
  unit: string,
  state: "active" | "failed" | "inactive",
): void {
  writeFileSync(join(machine.dir, "units", unit), `${state}\n`);
}

/** An agent configuration for the test machine: the activation runs the script directly (no systemd-run). */
export function testAgentConfig(
  machine: TestMachine,
  controlPlaneUrl: string,
  overrides: Partial<AgentConfig> = {},
): ResolvedAgentConfig {
  return resolveDefaults({
    machineId: "web-01",
    controlPlaneUrl,
    token: "agent-token-web-01",
    profilePath: machine.profile,
    currentSystemLink: machine.currentLink,
    activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
    switchLockPath: machine.lock,
    rootPath: machine.root,
    stateDir: machine.stateDir,
    pollIntervalMs: 200,
    jitter: 0,
    backoffInitialMs: 50,
    backoffMaxMs: 500,
    requestTimeoutMs: 2000,
    activationTimeoutMs: 20_000,
    confirmWindowMs: 15_000,
    healthTimeoutMs: 10_000,
    logLevel: "silent",
    ...overrides,
  });
}
