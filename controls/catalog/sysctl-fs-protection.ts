import { maps } from "../check.js";
import { sysctlControl } from "../sysctl.js";

/** BP-028 R14: protected links/FIFOs/regular files in sticky directories, no core dumps of setuid programs. */
export const control = sysctlControl({
  id: "sysctl-fs-protection",
  title: "File system sysctls protect links, FIFOs and setuid core dumps",
  severity: "medium",
  level: "intermediary",
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R14"] }),
  rules: {
    "fs.suid_dumpable": { equals: 0 },
    "fs.protected_fifos": { equals: 2 },
    "fs.protected_regular": { equals: 2 },
    "fs.protected_symlinks": { equals: 1 },
    "fs.protected_hardlinks": { equals: 1 },
  },
  remediation:
    'boot.kernel.sysctl = { "fs.suid_dumpable" = 0; "fs.protected_fifos" = 2; "fs.protected_regular" = 2; "fs.protected_symlinks" = 1; "fs.protected_hardlinks" = 1; };',
});
