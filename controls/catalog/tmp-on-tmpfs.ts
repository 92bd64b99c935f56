import { boolAt, defineControl, getPath, maps, recordAt, verdict } from "../check.js";

/** /tmp in RAM is emptied at every boot and mounted nosuid,nodev: nothing left over, nothing planted. */
export const control = defineControl({
  id: "tmp-on-tmpfs",
  title: "/tmp is a tmpfs (boot.tmp.useTmpfs) or cleaned at boot",
  severity: "low",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.10"], "anssi-bp028": ["R28", "R55"] }),
  eval(facts) {
    const useTmpfs = boolAt(facts, "boot.tmp.useTmpfs") ?? boolAt(facts, "boot.tmpOnTmpfs");
    const clean = boolAt(facts, "boot.tmp.cleanOnBoot") ?? boolAt(facts, "boot.cleanTmpDir");
    const tmpFs = getPath(recordAt(facts, "fileSystems"), ["/tmp", "fsType"]);
    return verdict(
      useTmpfs === true || tmpFs === "tmpfs" || clean === true,
      {
        "boot.tmp.useTmpfs": useTmpfs ?? null,
        "boot.tmp.cleanOnBoot": clean ?? null,
        'fileSystems."/tmp".fsType': tmpFs ?? null,
      },
      { "boot.tmp.useTmpfs": true, or: { "boot.tmp.cleanOnBoot": true } },
      "/tmp does not survive a reboot",
      "/tmp is persistent and never cleaned",
    );
  },
  remediation: "boot.tmp.useTmpfs = true; (or boot.tmp.cleanOnBoot = true where RAM is scarce)",
});
