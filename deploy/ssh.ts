/** SSH endpoints for direct deploys: parsing `USER@HOST[:PORT]`, the ssh argv, NIX_SSHOPTS, and remote commands. */
import { type CommandOutcome, runCommand } from "../agent/exec.js";

/** Where and how to reach one host over ssh. */
export interface SshEndpoint {
  user: string;
  host: string;
  port?: number;
  /** private key file (`ssh -i`) */
  identity?: string;
  /** known_hosts file to trust instead of ~/.ssh/known_hosts */
  knownHosts?: string;
  /** further `-o Key=Value` options, passed as they are */
  options: string[];
}

const HOST_PATTERN = /^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$/;
const USER_PATTERN = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** Parses `USER@HOST`, `USER@HOST:PORT` or `USER@[IPv6]:PORT`; returns an error message instead of throwing. */
export function parseSshTarget(spec: string): { user: string; host: string; port?: number } | string {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return `"${spec}" is not USER@HOST`;
  const user = spec.slice(0, at);
  let rest = spec.slice(at + 1);
  let port: number | undefined;
  const portMatch = /^(.*[^:]):(\d+)$/.exec(rest);
  if (portMatch && (rest.startsWith("[") || !portMatch[1]!.includes(":"))) {
    rest = portMatch[1]!;
    port = Number(portMatch[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `port in "${spec}" is out of range`;
  }
  if (!USER_PATTERN.test(user)) return `user "${user}" in "${spec}" is not a valid user name`;
  if (!HOST_PATTERN.test(rest)) return `host "${rest}" in "${spec}" is not a host name or address`;
  return port === undefined ? { user, host: rest } : { user, host: rest, port };
}

/** `user@host` as ssh and Nix's ssh:// store URI want it (IPv6 without brackets for ssh). */
export function sshDestination(endpoint: SshEndpoint): string {
  return `${endpoint.user}@${endpoint.host.replace(/^\[(.*)\]$/, "$1")}`;
}

/** A display form: `user@host:port`. */
export function describeEndpoint(endpoint: SshEndpoint): string {
  return `${endpoint.user}@${endpoint.host}${endpoint.port ? `:${endpoint.port}` : ""}`;
}

/**
 * The ssh options shared by our own ssh calls and `nix copy` (through NIX_SSHOPTS). BatchMode so a missing
 * key fails at once instead of prompting; a bounded connect timeout so a dead host fails its step.
 */
export function sshOptionArgs(endpoint: SshEndpoint): string[] {
  const args = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"];
  if (endpoint.port) args.push("-p", String(endpoint.port));
  if (endpoint.identity) args.push("-i", endpoint.identity, "-o", "IdentitiesOnly=yes");
  if (endpoint.knownHosts) args.push("-o", `UserKnownHostsFile=${endpoint.knownHosts}`);
  for (const option of endpoint.options) args.push("-o", option);
  return args;
}

/**
 * NIX_SSHOPTS is split on whitespace by Nix (no quoting), so an option with a space cannot pass through it;
 * we refuse such options up front with a clear message rather than let ssh fail obscurely.
 */
export function nixSshOpts(endpoint: SshEndpoint): string {
  const args = sshOptionArgs(endpoint);
  const withSpace = args.find((a) => /\s/.test(a));
  if (withSpace)
    throw new Error(`ssh option "${withSpace}" contains whitespace, which NIX_SSHOPTS cannot carry`);
  return args.join(" ");
}

/** Single-quotes a word for the remote POSIX shell. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The full ssh argv that runs `remoteCommand` (a shell command line) on the endpoint. */
export function sshArgv(endpoint: SshEndpoint, remoteCommand: string): string[] {
  return ["ssh", ...sshOptionArgs(endpoint), sshDestination(endpoint), "--", remoteCommand];
}

/** Runs a shell command line on the host over ssh. Never throws. */
export function runRemote(
  endpoint: SshEndpoint,
  remoteCommand: string,
  options: { timeoutMs: number; env: NodeJS.ProcessEnv },
): Promise<CommandOutcome> {
  return runCommand(sshArgv(endpoint, remoteCommand), options);
}

/** ssh itself exits 255 when it could not connect or authenticate; the remote command never does that here. */
export function isSshFailure(outcome: CommandOutcome): boolean {
  return outcome.code === 255;
}
