import { defineControl, maps, notApplicable, verdict } from "../check.js";
import { sudoConfig, sudoDefaults } from "../sudo.js";

const REQUIRED = ["use_pty", "umask=0077", "ignore_dot"];

/**
 * R39's sudo directives. use_pty stops a command from injecting keystrokes into the caller's terminal;
 * umask and ignore_dot prevent permissive files and PATH hijacks. env_reset is sudo's default and must not be
 * negated. noexec/requiretty are not required here: noexec breaks most administrative commands and
 * requiretty is obsolete once use_pty is set (documented in docs/controls.md).
 */
export const control = defineControl({
  id: "sudo-defaults-hardened",
  title: "sudo Defaults include use_pty, umask=0077 and ignore_dot, and keep env_reset",
  severity: "low",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.i"], dora: ["Art.9"], iso27001: ["A.8.2"], "anssi-bp028": ["R39"] }),
  eval(facts) {
    const sudo = sudoConfig(facts);
    if (!sudo) return notApplicable({ sudo: false }, REQUIRED, "neither sudo nor sudo-rs is enabled");
    const defaults = sudoDefaults(sudo.extraConfig);
    const normalised = defaults.map((d) => d.replace(/^umask=0?77$/, "umask=0077"));
    const missing = REQUIRED.filter((r) => !normalised.includes(r));
    const negatedReset = defaults.includes("!env_reset");
    return verdict(
      missing.length === 0 && !negatedReset,
      { defaults },
      { includes: REQUIRED, excludes: ["!env_reset"] },
      "sudo defaults hardened",
      [
        missing.length > 0 ? `missing Defaults: ${missing.join(", ")}` : "",
        negatedReset ? "env_reset negated" : "",
      ]
        .filter(Boolean)
        .join("; "),
    );
  },
  remediation: 'security.sudo.extraConfig = "Defaults use_pty, umask=0077, ignore_dot";',
});
