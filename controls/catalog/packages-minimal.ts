import { defineControl, getPath, maps, notApplicable, stringListAt, verdict } from "../check.js";

/** Tools that help an intruder more than an operator on a production server (compilers, debuggers, scanners). */
export const DISCOURAGED_PACKAGES = [
  "gcc",
  "clang",
  "gdb",
  "lldb",
  "nmap",
  "netcat",
  "netcat-gnu",
  "netcat-openbsd",
  "ncat",
  "socat",
  "telnet",
  "inetutils",
  "tcpdump",
  "wireshark",
  "wireshark-cli",
  "hydra",
  "john",
  "metasploit",
];

/** R58: only what the service needs is installed. Workstations (tag "workstation") are out of scope. */
export const control = defineControl({
  id: "packages-minimal",
  title: "No compilers, debuggers or network attack tools in environment.systemPackages on servers",
  severity: "low",
  level: "minimal",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.19"], "anssi-bp028": ["R58"] }),
  eval(facts) {
    const tags = stringListAt(facts, "nixfleet.meta.tags");
    if (tags.includes("workstation"))
      return notApplicable({ tags }, "server", "workstations may carry development tools");
    const packages = stringListAt(facts, "environment.systemPackages");
    // facts.nix emits pnames; hand-written facts may carry "name-version", so compare without the version.
    const found = packages.filter((p) => DISCOURAGED_PACKAGES.includes(p.replace(/-\d[\w.+-]*$/, "")));
    return verdict(
      found.length === 0,
      {
        packages: packages.length,
        discouraged: found,
        declared: getPath(facts, "environment.systemPackages") === undefined ? null : true,
      },
      { discouraged: [] },
      `${packages.length} system package(s), none discouraged`,
      `discouraged packages installed: ${found.join(", ")}`,
    );
  },
  remediation: "Remove them from environment.systemPackages (use `nix shell` for one-off debugging).",
});
