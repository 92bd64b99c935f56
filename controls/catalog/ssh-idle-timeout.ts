import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sshdOption, sshEnabled } from "../sshd.js";

/** R32: idle sessions end. ClientAliveInterval × ClientAliveCountMax bounds how long a dead or idle link lives. */
export const control = defineControl({
  id: "ssh-idle-timeout",
  title: "SSH sessions time out when idle (ClientAliveInterval ≤ 300 s, CountMax ≤ 3)",
  severity: "low",
  level: "intermediary",
  platforms: ["nixos", "darwin"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.5"], "anssi-bp028": ["R32"] }),
  eval(facts) {
    if (!sshEnabled(facts)) return notApplicable({ enabled: false }, null, "the SSH daemon is not enabled");
    const interval = sshdOption(facts, "ClientAliveInterval");
    const countMax = sshdOption(facts, "ClientAliveCountMax");
    const count = typeof countMax === "number" ? countMax : 3;
    return verdict(
      typeof interval === "number" && interval > 0 && interval <= 300 && count <= 3 && count > 0,
      {
        ClientAliveInterval: interval ?? "0 (OpenSSH default: never)",
        ClientAliveCountMax: countMax ?? "3 (default)",
      },
      { ClientAliveInterval: "1..300", ClientAliveCountMax: "1..3" },
      `idle sessions end after ${String(interval)} s × ${count}`,
      "idle SSH sessions never time out, or too late",
    );
  },
  remediation:
    "services.openssh.settings.ClientAliveInterval = 300; services.openssh.settings.ClientAliveCountMax = 2;",
});
