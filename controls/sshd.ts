/**
 * Reading OpenSSH server settings from facts. NixOS renders `services.openssh.settings` first and appends
 * `services.openssh.extraConfig`; nix-darwin only has `extraConfig`. sshd keeps the first value it reads for a
 * keyword, so settings win over extraConfig, and lines after a `Match` block are conditional and ignored here.
 */
import { boolAt, getPath, isRecord, stringAt } from "./check.js";
import type { Facts } from "./types.js";

/** Whether the SSH daemon is enabled by the configuration. */
export function sshEnabled(facts: Facts): boolean {
  return boolAt(facts, "services.openssh.enable") === true;
}

function normalise(value: string): unknown {
  const v = value.trim().replace(/^"(.*)"$/, "$1");
  if (/^(yes|true)$/i.test(v)) return true;
  if (/^(no|false)$/i.test(v)) return false;
  if (/^-?\d+$/.test(v)) return Number.parseInt(v, 10);
  return v;
}

// Fleets share a handful of extraConfig texts: parse each once.
const parsedConfigs = new Map<string, ReadonlyMap<string, unknown>>();

/** Keyword → value from sshd_config text, first occurrence wins, global section only. */
export function parseSshdConfig(text: string): ReadonlyMap<string, unknown> {
  const cached = parsedConfigs.get(text);
  if (cached) return cached;
  const out = new Map<string, unknown>();
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\S+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toLowerCase();
    if (keyword === "match") break;
    if (!out.has(keyword)) out.set(keyword, normalise(match[2]!));
  }
  if (parsedConfigs.size < 1000) parsedConfigs.set(text, out);
  return out;
}

/** The effective value of an sshd keyword, or undefined when neither settings nor extraConfig set it. */
export function sshdOption(facts: Facts, keyword: string): unknown {
  const settings = getPath(facts, "services.openssh.settings");
  if (isRecord(settings)) {
    const exact = settings[keyword];
    if (exact !== null && exact !== undefined) return typeof exact === "string" ? normalise(exact) : exact;
    const lower = keyword.toLowerCase();
    for (const [k, v] of Object.entries(settings)) {
      if (v !== null && v !== undefined && k.toLowerCase() === lower) {
        return typeof v === "string" ? normalise(v) : v;
      }
    }
  }
  const extra = stringAt(facts, "services.openssh.extraConfig");
  return extra === undefined ? undefined : parseSshdConfig(extra).get(keyword.toLowerCase());
}

/** A list-valued sshd keyword (Ciphers, KexAlgorithms, Macs): NixOS gives a list, sshd_config a comma list. */
export function sshdList(facts: Facts, keyword: string): string[] | undefined {
  const v = sshdOption(facts, keyword);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  if (typeof v === "string")
    return v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  return undefined;
}
