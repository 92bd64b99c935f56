/** Document factories for API tests: unique, schema-valid, and small. */
import type { ControlResult } from "../../schemas/generated/control-result.js";
import type { EvidenceBatch } from "../../schemas/generated/evidence-batch.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import type { RuntimeReport } from "../../schemas/generated/runtime-report.js";

let n = 0;

/** A store path with a unique, valid hash part. */
export function storePath(name = "nixos-system-test"): string {
  n++;
  const hash = `${process.pid.toString(36)}${n.toString(36)}`
    .padStart(32, "a")
    .replace(/[^0-9a-z]/g, "a")
    .slice(-32);
  return `/nix/store/${hash}-${name}`;
}

export function controlResult(
  host: string,
  controlId: string,
  status: ControlResult["status"],
  collectedAt?: string,
): ControlResult {
  return {
    controlId,
    host,
    status,
    source: "runtime",
    severity: "high",
    observed: status === "pass",
    expected: true,
    message: `${controlId} is ${status}`,
    mappings: [
      { framework: "nis2", requirement: "21.2.e" },
      { framework: "iso27001", requirement: "A.8.9" },
    ],
    ...(collectedAt ? { collectedAt } : {}),
  };
}

export function runtimeReport(
  machineId: string,
  collectedAt: string,
  sysctl: Record<string, string> = {},
): RuntimeReport {
  return { machineId, collectedAt, hostName: machineId, platform: "nixos", sysctl };
}

export function evidenceBatch(
  machineId: string,
  keys: string[],
  collectedAt = "2026-11-25T11:59:00Z",
): EvidenceBatch {
  const payload = runtimeReport(machineId, collectedAt, { "kernel.kptr_restrict": "2" }) as unknown as Record<
    string,
    unknown
  >;
  const items = keys.map((k) => ({
    idempotencyKey: k,
    kind: "runtime-report" as const,
    collectedAt,
    payload,
  }));
  // the schema says minItems 1; callers pass at least one key
  return { machineId, items: items as EvidenceBatch["items"] };
}

export function manifest(
  hosts: Record<string, { toplevel?: string; statuses?: Record<string, ControlResult["status"]> }>,
): ReleaseManifest {
  const out: ReleaseManifest = { hosts: {} };
  for (const [host, h] of Object.entries(hosts)) {
    out.hosts[host] = {
      toplevel: h.toplevel ?? storePath(host),
      evalEvidence: Object.entries(h.statuses ?? {}).map(([id, status]) => ({
        ...controlResult(host, id, status),
        source: "eval" as const,
      })),
    };
  }
  return out;
}
