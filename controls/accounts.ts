/**
 * Reading declared user accounts from facts. nix/facts.nix never copies secrets: for each user it emits
 * booleans (hasPlaintextPassword, …) and the hash scheme name instead of password or hash values. Hand-written
 * facts may still carry NixOS's raw options (password, initialPassword, hashedPassword); those are read here
 * too, and never echoed into results.
 */
import { isRecord, recordAt } from "./check.js";
import type { Facts } from "./types.js";

export interface DeclaredUser {
  name: string;
  isNormalUser: boolean;
  hasPlaintextPassword: boolean;
  /** "yescrypt", "sha512crypt", …, "locked", "empty", or null when no hash is declared. */
  hashedPasswordScheme: string | null;
}

/** Names the crypt(3) scheme of a hash from its prefix; the hash itself is not kept. */
export function hashScheme(hash: string): string {
  if (hash === "") return "empty";
  if (hash.startsWith("!") || hash.startsWith("*")) return "locked";
  const prefixes: ReadonlyArray<readonly [string, string]> = [
    ["$y$", "yescrypt"],
    ["$gy$", "gost-yescrypt"],
    ["$7$", "scrypt"],
    ["$2b$", "bcrypt"],
    ["$2y$", "bcrypt"],
    ["$2a$", "bcrypt"],
    ["$6$", "sha512crypt"],
    ["$5$", "sha256crypt"],
    ["$1$", "md5crypt"],
  ];
  for (const [prefix, name] of prefixes) if (hash.startsWith(prefix)) return name;
  return hash.startsWith("$") ? "unknown" : "descrypt";
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Every user declared in users.users, as the checks need them. */
export function declaredUsers(facts: Facts): DeclaredUser[] {
  return Object.entries(recordAt(facts, "users.users"))
    .filter(([, u]) => isRecord(u))
    .map(([name, raw]) => {
      const u = raw as Record<string, unknown>;
      const plaintext = u.hasPlaintextPassword === true || present(u.password) || present(u.initialPassword);
      let scheme: string | null = typeof u.hashedPasswordScheme === "string" ? u.hashedPasswordScheme : null;
      if (scheme === null) {
        const hash = typeof u.hashedPassword === "string" ? u.hashedPassword : u.initialHashedPassword;
        if (typeof hash === "string") scheme = hashScheme(hash);
      }
      return {
        name,
        isNormalUser: u.isNormalUser === true,
        hasPlaintextPassword: plaintext,
        hashedPasswordScheme: scheme,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
