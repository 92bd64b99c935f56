import { defineControl, isRecord, maps, notApplicable, verdict } from "../check.js";
import { sudoConfig } from "../sudo.js";

const EDITORS = /(^|\/)(vi|vim|nvim|nano|emacs|ed|less|more|view)$/;

function commandsOf(rule: unknown): { command: string; options: string[] }[] {
  if (!isRecord(rule) || !Array.isArray(rule.commands)) return [];
  return rule.commands.map((c) =>
    typeof c === "string"
      ? { command: c, options: [] }
      : isRecord(c)
        ? {
            command: typeof c.command === "string" ? c.command : "",
            options: Array.isArray(c.options)
              ? c.options.filter((o): o is string => typeof o === "string")
              : [],
          }
        : { command: "", options: [] },
  );
}

/**
 * R40–R44 on security.sudo.extraRules and extraConfig: no negated commands (R42), no blanket
 * "NOPASSWD: ALL" (R43), editors only through sudoedit (R44), no EXEC override of NOEXEC on ALL (R41).
 */
export const control = defineControl({
  id: "sudo-rules-restricted",
  title: "sudo rules have no negations, no passwordless ALL, and edit only through sudoedit",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({
    nis2: ["21.2.i"],
    dora: ["Art.9"],
    iso27001: ["A.8.2", "A.8.18"],
    "anssi-bp028": ["R40", "R41", "R42", "R43", "R44"],
  }),
  eval(facts) {
    const sudo = sudoConfig(facts);
    if (!sudo) return notApplicable({ sudo: false }, null, "neither sudo nor sudo-rs is enabled");
    const problems: string[] = [];
    sudo.extraRules.forEach((rule, i) => {
      for (const { command, options } of commandsOf(rule)) {
        const bin = command.trim().split(/\s+/)[0] ?? "";
        if (command.trim().startsWith("!")) problems.push(`rule ${i}: negated command ${command}`);
        if (bin === "ALL" && options.includes("NOPASSWD")) problems.push(`rule ${i}: NOPASSWD on ALL`);
        if (bin === "ALL" && options.includes("EXEC")) problems.push(`rule ${i}: EXEC on ALL`);
        if (EDITORS.test(bin)) problems.push(`rule ${i}: editor ${bin} (use sudoedit)`);
      }
    });
    for (const line of sudo.extraConfig.split("\n")) {
      if (/NOPASSWD:\s*ALL\s*$/.test(line)) problems.push(`extraConfig: ${line.trim()}`);
      if (/^[^#]*(=|:)\s*.*(,\s*|\s)!\//.test(line)) problems.push(`extraConfig negation: ${line.trim()}`);
    }
    return verdict(
      problems.length === 0,
      { rules: sudo.extraRules.length, problems },
      { problems: [] },
      `${sudo.extraRules.length} sudo rule(s), none too broad`,
      problems.join("; "),
    );
  },
  remediation:
    'security.sudo.extraRules = [ { groups = [ "ops" ]; commands = [ { command = "/run/current-system/sw/bin/systemctl restart nginx"; options = [ ]; } ]; } ]; (sudoedit for files, no "!" commands, no NOPASSWD ALL)',
});
