import { declaredUsers } from "../accounts.js";
import { defineControl, maps, verdict } from "../check.js";

const STRONG = ["yescrypt", "gost-yescrypt", "scrypt", "bcrypt", "sha512crypt", "locked"];

/** R68: stored passwords must use a slow, salted hash; md5crypt/descrypt hashes are cracked in minutes. */
export const control = defineControl({
  id: "password-hash-strong",
  title: "Declared password hashes use a strong scheme (yescrypt, sha512crypt, bcrypt, scrypt)",
  severity: "high",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.h"],
    dora: ["Art.9"],
    iso27001: ["A.5.17", "A.8.24"],
    "anssi-bp028": ["R68"],
  }),
  eval(facts) {
    const schemes: Record<string, string> = {};
    const weak: string[] = [];
    for (const u of declaredUsers(facts)) {
      if (u.hashedPasswordScheme === null || u.hashedPasswordScheme === "empty") continue;
      schemes[u.name] = u.hashedPasswordScheme;
      if (!STRONG.includes(u.hashedPasswordScheme)) weak.push(`${u.name} (${u.hashedPasswordScheme})`);
    }
    return verdict(
      weak.length === 0,
      schemes,
      { anyOf: STRONG },
      `${Object.keys(schemes).length} declared hash(es), all strong`,
      `weak password hash for: ${weak.join(", ")}`,
    );
  },
  remediation:
    "Regenerate users.users.<name>.hashedPassword with `mkpasswd -m yescrypt` (or use hashedPasswordFile).",
});
