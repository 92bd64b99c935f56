import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdList, sshEnabled } from "../sshd.js";

/** Weak primitives by family (ANSSI's OpenSSH recommendations and RFC 9142): CBC modes, RC4, SHA-1, MD5, small DH. */
const WEAK: Readonly<Record<"Ciphers" | "KexAlgorithms" | "Macs", RegExp>> = {
  Ciphers: /(-cbc$|^3des|^arcfour|^blowfish|^cast128|^rijndael-cbc)/i,
  KexAlgorithms:
    /(sha1$|^diffie-hellman-group1-|^diffie-hellman-group14-sha1$|^diffie-hellman-group-exchange-sha1$)/i,
  Macs: /(md5|sha1|umac-64|ripemd)/i,
};

/**
 * NixOS sets strong defaults for these lists; unset lists (as on nix-darwin) fall back to OpenSSH's defaults,
 * which still offer hmac-sha1 and umac-64, so unset fails.
 */
export const control = defineControl({
  id: "ssh-strong-crypto",
  title: "SSH offers only strong ciphers, key exchanges and MACs",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos", "darwin"],
  mappings: maps({
    nis2: ["21.2.h"],
    dora: ["Art.9"],
    iso27001: ["A.8.24", "A.8.21"],
    "anssi-bp028": ["R79"],
  }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, null, "the SSH daemon is not enabled");
    const observed: Record<string, string[] | null> = {};
    const problems: string[] = [];
    for (const family of ["Ciphers", "KexAlgorithms", "Macs"] as const) {
      const list = sshdList(facts, family);
      observed[family] = list ?? null;
      if (list === undefined) problems.push(`${family} unset (OpenSSH defaults include weak algorithms)`);
      else {
        const weak = list.filter((a) => WEAK[family].test(a));
        if (weak.length > 0) problems.push(`${family}: ${weak.join(", ")}`);
      }
    }
    return verdict(
      problems.length === 0,
      observed,
      { Ciphers: "no CBC/3DES/RC4", KexAlgorithms: "no SHA-1 or group1", Macs: "no MD5/SHA-1/umac-64" },
      "only strong algorithms offered",
      `weak or unset: ${problems.join("; ")}`,
    );
  },
  remediation:
    'services.openssh.settings.Ciphers = [ "chacha20-poly1305@openssh.com" "aes256-gcm@openssh.com" "aes128-gcm@openssh.com" ]; …KexAlgorithms = [ "sntrup761x25519-sha512@openssh.com" "curve25519-sha256" ]; …Macs = [ "hmac-sha2-512-etm@openssh.com" "hmac-sha2-256-etm@openssh.com" ];',
});
