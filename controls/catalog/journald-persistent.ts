import { defineControl, maps, verdict } from "../check.js";
import { journaldSetting } from "../journald.js";

/** Logs must survive a reboot to be of any use after an incident (R71, NIS2 Art. 23 reporting). */
export const control = defineControl({
  id: "journald-persistent",
  title: "The journal is stored persistently (Storage=persistent or auto with /var/log/journal)",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.b", "23"],
    dora: ["Art.10", "Art.17"],
    iso27001: ["A.8.15", "A.5.28"],
    "anssi-bp028": ["R71"],
  }),
  eval(facts) {
    const storage = journaldSetting(facts, "Storage", "services.journald.storage");
    // NixOS creates /var/log/journal, so journald's default "auto" is persistent there.
    const effective = storage ?? "auto";
    return verdict(
      effective === "persistent" || effective === "auto",
      storage ?? "auto (default; NixOS creates /var/log/journal)",
      "persistent",
      `journal storage is ${effective}`,
      `journal storage is ${effective}: logs are lost at reboot or never kept`,
    );
  },
  remediation:
    'services.journald.storage = "persistent"; (or services.journald.extraConfig = "Storage=persistent")',
});
