import { defineControl, maps, recordAt, verdict } from "../check.js";

/** Business continuity starts with a scheduled backup job (NIS2 21(2)(c), DORA Art. 12). */
export const control = defineControl({
  id: "backups-configured",
  title: "A backup job is configured (services.restic.backups or services.borgbackup.jobs)",
  severity: "high",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.c"], dora: ["Art.11", "Art.12"], iso27001: ["A.8.13", "A.5.30"] }),
  eval(facts) {
    const restic = Object.keys(recordAt(facts, "services.restic.backups")).sort();
    const borg = Object.keys(recordAt(facts, "services.borgbackup.jobs")).sort();
    return verdict(
      restic.length + borg.length > 0,
      { restic, borgbackup: borg },
      { anyJob: true },
      `backup jobs: ${[...restic.map((r) => `restic:${r}`), ...borg.map((b) => `borg:${b}`)].join(", ")}`,
      "no restic or borgbackup job declared",
    );
  },
  remediation:
    'services.restic.backups.daily = { repository = "s3:…"; passwordFile = "/run/secrets/restic"; paths = [ "/var/lib" ]; timerConfig.OnCalendar = "daily"; };',
});
