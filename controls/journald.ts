/** journald settings: NixOS has a few typed options, the rest lives in services.journald.extraConfig. */
import { getPath, stringAt } from "./check.js";
import type { Facts } from "./types.js";

/** The value of a [Journal] key, typed option first (when one exists), then the last extraConfig line. */
export function journaldSetting(facts: Facts, key: string, typedOption?: string): string | undefined {
  if (typedOption !== undefined) {
    const typed = getPath(facts, typedOption);
    if (typeof typed === "string" || typeof typed === "number") return String(typed);
  }
  const extra = stringAt(facts, "services.journald.extraConfig") ?? "";
  let value: string | undefined;
  for (const line of extra.split("\n")) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) value = m[2]; // systemd: the last assignment wins
  }
  return value;
}

/** systemd time span ("90d", "1year", "2w 3d", "3600") → seconds; undefined when unparsable. */
export function timeSpanSeconds(span: string): number | undefined {
  const units: Record<string, number> = {
    s: 1,
    sec: 1,
    second: 1,
    seconds: 1,
    m: 60,
    min: 60,
    minute: 60,
    minutes: 60,
    h: 3600,
    hr: 3600,
    hour: 3600,
    hours: 3600,
    d: 86400,
    day: 86400,
    days: 86400,
    w: 604800,
    week: 604800,
    weeks: 604800,
    M: 2630016,
    month: 2630016,
    months: 2630016,
    y: 31557600,
    year: 31557600,
    years: 31557600,
  };
  const trimmed = span.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let matched = "";
  for (const m of trimmed.matchAll(/(\d+)\s*([A-Za-z]+)\s*/g)) {
    const unit = units[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    matched += m[0];
  }
  return matched.replace(/\s/g, "") === trimmed.replace(/\s/g, "") && matched !== "" ? total : undefined;
}
