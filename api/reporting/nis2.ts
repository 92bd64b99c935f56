/**
 * The control plane's side of the NIS2 report: the database's period (./collect.ts) turned into the report
 * builder's input. Shared by GET /api/v1/reports/nis2 and the offline `nixfleet report nis2 --db`.
 */
import type { Nis2ReportInput } from "../../reports/nis2/model.js";
import type { Db } from "../db/client.js";
import { collectPeriod, type Period } from "./collect.js";

export interface Nis2FromDbOptions {
  period: Period;
  entity?: { name?: string | undefined; type?: "essential" | "important" | undefined };
  generatedAt: string;
  generatorVersion: string;
  location: string;
  sourceKind?: "database" | "server";
  evidenceBundleSha256?: string | null;
}

/** Builder input from the database: runtime evidence is required, since agents report to this plane. */
export function nis2InputFromDb(db: Db, options: Nis2FromDbOptions): Nis2ReportInput {
  const collected = collectPeriod(db, options.period);
  const policy = collected.policy;
  const type = options.entity?.type ?? policy.nis2Entity;
  const input: Nis2ReportInput = {
    entity: { name: options.entity?.name ?? "unnamed entity", ...(type ? { type } : {}) },
    period: {
      since: new Date(options.period.sinceMs).toISOString(),
      until: new Date(options.period.untilMs).toISOString(),
    },
    generatedAt: options.generatedAt,
    generatorVersion: options.generatorVersion,
    source: { kind: options.sourceKind ?? "database", location: options.location },
    profile: {
      ...(policy.frameworks ? { frameworks: policy.frameworks } : {}),
      ...(policy.anssiLevel ? { level: policy.anssiLevel } : {}),
    },
    freshness: {
      evalMaxAgeHours: policy.freshness?.evalMaxAgeHours ?? 720,
      runtimeMaxAgeHours: policy.freshness?.runtimeMaxAgeHours ?? 24,
    },
    runtimeEvidenceRequired: true,
    inventory: collected.inventory,
    results: collected.results,
    waivers: collected.waivers,
    rollouts: collected.rollouts,
    evidenceBundleSha256: options.evidenceBundleSha256 ?? null,
  };
  return input;
}
