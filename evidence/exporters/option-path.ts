/**
 * The NixOS option a control is about, for locations in SARIF and JUnit. Controls state it in their remediation
 * text ("services.openssh.settings.PermitRootLogin = ..."), so the first assigned option path there is used,
 * else the first dotted option-like name, else the control id.
 */
import type { Control } from "../../controls/types.js";

const ASSIGNED = /((?:[A-Za-z_][\w-]*|"[^"]+"|<[\w-]+>)(?:\.(?:[A-Za-z_][\w-]*|"[^"]+"|<[\w-]+>))+)\s*=/;
const DOTTED = /\b([a-z][\w-]*(?:\.(?:[A-Za-z_][\w-]*|<[\w-]+>))+)/;

const cache = new Map<string, string>();

export function optionPathOf(control: Pick<Control, "id" | "remediation">): string {
  const cached = cache.get(control.id);
  if (cached !== undefined) return cached;
  const path = ASSIGNED.exec(control.remediation)?.[1] ?? DOTTED.exec(control.remediation)?.[1] ?? control.id;
  cache.set(control.id, path);
  return path;
}
