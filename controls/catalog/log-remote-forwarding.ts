import { boolAt, defineControl, maps, verdict } from "../check.js";

const FORWARDERS = [
  "services.journald.upload.enable",
  "services.rsyslogd.enable",
  "services.syslog-ng.enable",
  "services.vector.enable",
  "services.promtail.enable",
  "services.fluent-bit.enable",
  "services.opentelemetry-collector.enable",
];

/** Logs copied off the host survive its compromise; required for essential entities (R71's centralisation). */
export const control = defineControl({
  id: "log-remote-forwarding",
  title: "Logs are forwarded to a central collector",
  severity: "medium",
  level: "enhanced",
  platforms: ["nixos"],
  nis2Entities: ["essential"],
  mappings: maps({
    nis2: ["21.2.b"],
    dora: ["Art.10"],
    iso27001: ["A.8.15", "A.8.16"],
    "anssi-bp028": ["R71", "R72"],
  }),
  eval(facts) {
    const enabled = FORWARDERS.filter((o) => boolAt(facts, o) === true);
    return verdict(
      enabled.length > 0,
      { forwarders: enabled },
      { anyOf: FORWARDERS },
      `forwarding with ${enabled.join(", ")}`,
      "no log forwarder enabled",
    );
  },
  remediation:
    'services.journald.upload.enable = true; services.journald.upload.settings.Upload.URL = "https://logs.example:19532";',
});
