import { boolAt, cannotCheck, defineControl, maps, verdict } from "../check.js";

const DAEMONS: ReadonlyArray<readonly [string, string]> = [
  ["services.timesyncd.enable", "systemd-timesyncd.service"],
  ["services.chrony.enable", "chronyd.service"],
  ["services.ntp.enable", "ntpd.service"],
  ["services.openntpd.enable", "openntpd.service"],
];

/** Log timestamps are only evidence when clocks agree (ISO A.8.17; BP-028 R71's logging architecture). */
export const control = defineControl({
  id: "time-sync",
  title: "The clock is synchronised (timesyncd, chrony, ntpd or openntpd)",
  severity: "medium",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.b"], dora: ["Art.10"], iso27001: ["A.8.17"], "anssi-bp028": ["R71"] }),
  eval(facts) {
    const on = DAEMONS.filter(([option]) => boolAt(facts, option) === true).map(([option]) => option);
    return verdict(
      on.length > 0,
      { enabled: on },
      { anyOf: DAEMONS.map(([o]) => o) },
      `time sync by ${on.join(", ")}`,
      "no time synchronisation daemon enabled",
    );
  },
  runtime(report) {
    if (!report.units)
      return cannotCheck(null, "one active time daemon", "the runtime report has no unit states");
    const states = Object.fromEntries(DAEMONS.map(([, unit]) => [unit, report.units?.[unit] ?? null]));
    const active = Object.entries(states)
      .filter(([, s]) => s === "active")
      .map(([u]) => u);
    return verdict(
      active.length > 0,
      states,
      "one of them active",
      `${active.join(", ")} active`,
      "no time synchronisation daemon is active",
    );
  },
  remediation: "services.timesyncd.enable = true; (NixOS default) or services.chrony.enable = true;",
});
