import { defineControl, getPath, isRecord, listAt, maps, verdict } from "../check.js";

/** Swap holds memory pages (keys, passwords) on disk; it must be encrypted, with a random key or on LUKS. */
export const control = defineControl({
  id: "swap-encryption",
  title: "Swap is encrypted (randomEncryption, encrypted, or on a LUKS mapping)",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.h"], dora: ["Art.9"], iso27001: ["A.8.24"] }),
  eval(facts) {
    const swaps = listAt(facts, "swapDevices").filter(isRecord);
    const plain = swaps
      .filter(
        (s) =>
          getPath(s, "randomEncryption.enable") !== true &&
          getPath(s, "encrypted.enable") !== true &&
          !(typeof s.device === "string" && s.device.startsWith("/dev/mapper/")),
      )
      .map((s) =>
        typeof s.device === "string" ? s.device : typeof s.label === "string" ? `label=${s.label}` : "?",
      );
    return verdict(
      plain.length === 0,
      { swapDevices: swaps.length, unencrypted: plain },
      { unencrypted: [] },
      swaps.length === 0 ? "no disk swap" : `${swaps.length} swap device(s), all encrypted`,
      `unencrypted swap: ${plain.join(", ")}`,
    );
  },
  remediation:
    'swapDevices = [ { device = "/dev/disk/by-partuuid/…"; randomEncryption.enable = true; } ]; (or zramSwap.enable = true)',
});
