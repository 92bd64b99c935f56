/**
 * A real OpenSSH server on loopback for direct-SSH tests: host and client keys generated in a temp dir, key-only
 * login for the current user (root: PermitRootLogin prohibit-password), its own known_hosts, and a PATH on the
 * remote side where nix-store and nix-env are found (nix copy runs `nix-store --serve` there).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { eventually, type Managed, spawnManaged } from "./processes.js";
import { tempDir } from "./temp.js";

export interface TestSshd {
  user: string;
  host: string;
  port: number;
  /** client private key */
  identity: string;
  /** known_hosts holding the server's host key for [127.0.0.1]:port */
  knownHosts: string;
  /** `USER@127.0.0.1:PORT` */
  target: string;
  /** the flags `nixfleet deploy`/`rollback` need to reach this server */
  cliFlags: string[];
  /** the sshd log (with -e it logs to stderr) */
  log(): string;
  process: Managed;
}

const SSHD = "/usr/sbin/sshd";

/** Starts sshd -D on a free loopback port and waits until it accepts a real login. */
export async function startSshd(): Promise<TestSshd> {
  const dir = tempDir("nixfleet-sshd-");
  const user = userInfo().username;
  const keygen = (file: string) =>
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "nixfleet-test", "-f", file], {
      stdio: "ignore",
    });
  keygen(join(dir, "host_ed25519"));
  keygen(join(dir, "client_ed25519"));
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")));
  chmodSync(join(dir, "authorized_keys"), 0o600);
  // sshd as root insists on its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync("/run/sshd"))
    mkdirSync("/run/sshd", { mode: 0o755, recursive: true });
  const port = await freePort();
  const remotePath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(
    ":",
  );
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "host_ed25519")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // the key files live in a world-readable temp dir
    "StrictModes no",
    // nix copy runs nix-store on the remote side; make sure the login shell finds it
    `SetEnv PATH=${remotePath}`,
    "LogLevel VERBOSE",
    "",
  ].join("\n");
  writeFileSync(join(dir, "sshd_config"), config);
  execFileSync(SSHD, ["-t", "-f", join(dir, "sshd_config")], { stdio: "pipe" });
  const proc = spawnManaged("sshd", [SSHD, "-D", "-e", "-f", join(dir, "sshd_config")]);
  const hostKey = readFileSync(join(dir, "host_ed25519.pub"), "utf8")
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(" ");
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
  const identity = join(dir, "client_ed25519");
  const sshd: TestSshd = {
    user,
    host: "127.0.0.1",
    port,
    identity,
    knownHosts,
    target: `${user}@127.0.0.1:${port}`,
    cliFlags: ["--identity", identity, "--known-hosts", knownHosts],
    log: () => proc.stderr(),
    process: proc,
  };
  await eventually(
    "sshd to accept a login",
    () => {
      if (!proc.running()) throw new Error(`sshd exited:\n${proc.stderr()}`);
      const out = execFileSync("ssh", [...sshArgs(sshd), "true"], { stdio: "pipe", timeout: 5000 });
      return out !== undefined;
    },
    15_000,
    200,
  );
  return sshd;
}

/** ssh options for reaching the test server from a test (not from the CLI). */
export function sshArgs(sshd: TestSshd): string[] {
  return [
    "-p",
    String(sshd.port),
    "-i",
    sshd.identity,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${sshd.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    `${sshd.user}@${sshd.host}`,
  ];
}
