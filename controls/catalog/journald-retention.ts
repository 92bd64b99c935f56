import { defineControl, maps, verdict } from "../check.js";
import { journaldSetting, timeSpanSeconds } from "../journald.js";

const MIN_RETENTION_DAYS = 180;

/**
 * Retention is sized on purpose: SystemMaxUse bounds disk use (a full disk loses new logs), and a
 * MaxRetentionSec, when set, must keep at least 180 days so investigations and Art. 23 final reports can
 * rely on them.
 */
export const control = defineControl({
  id: "journald-retention",
  title: `Journal size is bounded (SystemMaxUse) and retention, if limited, is at least ${MIN_RETENTION_DAYS} days`,
  severity: "low",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.b", "23"],
    dora: ["Art.10", "Art.12"],
    iso27001: ["A.8.15", "A.5.33"],
    "anssi-bp028": ["R71"],
  }),
  eval(facts) {
    const maxUse = journaldSetting(facts, "SystemMaxUse");
    const retention = journaldSetting(facts, "MaxRetentionSec");
    const seconds = retention === undefined ? undefined : timeSpanSeconds(retention);
    const retentionOk =
      retention === undefined ||
      retention === "0" ||
      (seconds !== undefined && seconds >= MIN_RETENTION_DAYS * 86400);
    const problems = [
      maxUse === undefined ? "SystemMaxUse unset" : "",
      retentionOk ? "" : `MaxRetentionSec=${retention} is shorter than ${MIN_RETENTION_DAYS} days`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      { SystemMaxUse: maxUse ?? null, MaxRetentionSec: retention ?? null },
      { SystemMaxUse: "set", MaxRetentionSec: `unset or >= ${MIN_RETENTION_DAYS}d` },
      "journal size bounded, retention long enough",
      problems.join("; "),
    );
  },
  remediation: 'services.journald.extraConfig = "SystemMaxUse=4G\\nMaxRetentionSec=1year";',
});
