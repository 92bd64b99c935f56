/**
 * Drift: the difference between what the configuration says (eval-time facts) and what the running machine
 * shows (runtime report). Each drift family is reported as one ControlResult with controlId "drift.<family>"
 * (a dotted id, because the control-result schema forbids "_" that sysctl keys contain); observed/expected
 * list only the differing items. Families whose data is missing on either side are "not-applicable", never pass.
 * See docs/adr/0100-facts-shape-and-drift.md.
 */
import type { ControlResult, RequirementMapping } from "../schemas/generated/control-result.js";
import { getPath, isRecord, maps, recordAt, stringListAt } from "./check.js";
import type { Facts, RuntimeReport, Severity } from "./types.js";

const DRIFT_MAPPINGS: RequirementMapping[] = maps({
  nis2: ["21.2.e", "21.2.f"],
  dora: ["Art.8", "Art.10"],
  iso27001: ["A.8.9", "A.8.32"],
});

/** The drift families, for documentation and selection. */
export const DRIFT_FAMILIES = {
  "drift.generation": "the running system is the toplevel store path the configuration evaluates to",
  "drift.sysctl": "every key set in boot.kernel.sysctl has the same value in /proc/sys",
  "drift.kernel-params": "every boot.kernelParams entry is on the running kernel's command line",
  "drift.mounts": "every fileSystems mount point is mounted, with its nosuid/nodev/noexec/ro flags",
} as const;

/** Mount flags compared for drift: the security-relevant ones, which the kernel reports verbatim. */
const MOUNT_FLAGS = ["nosuid", "nodev", "noexec", "ro"];

function normaliseSysctl(value: unknown): string | undefined {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value.trim().split(/\s+/).join(" ");
  return undefined;
}

interface Finding {
  status: "pass" | "fail" | "not-applicable";
  observed: unknown;
  expected: unknown;
  message: string;
}

function result(
  id: keyof typeof DRIFT_FAMILIES,
  severity: Severity,
  host: string,
  finding: Finding,
  collectedAt: string,
): ControlResult {
  return {
    controlId: id,
    title: `Drift: ${DRIFT_FAMILIES[id]}`,
    host,
    status: finding.status,
    source: "runtime",
    severity,
    observed: finding.observed,
    expected: finding.expected,
    message: finding.message,
    remediation:
      "Switch the host to its evaluated generation (nixfleet rollout / nixos-rebuild switch); find who changed the machine by hand.",
    mappings: DRIFT_MAPPINGS.map((m) => ({ ...m })),
    collectedAt,
  };
}

function generationDrift(facts: Facts, report: RuntimeReport): Finding {
  const expected = facts.nixfleet?.meta?.toplevel;
  const observed = report.currentGeneration?.storePath;
  if (typeof expected !== "string" || typeof observed !== "string")
    return {
      status: "not-applicable",
      observed: observed ?? null,
      expected: expected ?? null,
      message: "toplevel unknown on one side",
    };
  return expected === observed
    ? { status: "pass", observed, expected, message: "running the evaluated generation" }
    : {
        status: "fail",
        observed,
        expected,
        message: "running a different generation than the configuration evaluates to",
      };
}

function sysctlDrift(facts: Facts, report: RuntimeReport): Finding {
  const declared = recordAt(facts, ["boot", "kernel", "sysctl"]);
  const live = report.sysctl;
  if (!isRecord(live))
    return {
      status: "not-applicable",
      observed: null,
      expected: null,
      message: "the runtime report has no sysctl section",
    };
  const observed: Record<string, string> = {};
  const expected: Record<string, string> = {};
  const unobserved: string[] = [];
  let compared = 0;
  for (const [key, value] of Object.entries(declared)) {
    const want = normaliseSysctl(value);
    if (want === undefined) continue;
    const got = live[key];
    if (got === undefined) {
      unobserved.push(key);
      continue;
    }
    compared++;
    const have = normaliseSysctl(got);
    if (have !== want) {
      observed[key] = have ?? String(got);
      expected[key] = want;
    }
  }
  if (compared === 0)
    return {
      status: "not-applicable",
      observed: { unobserved },
      expected: null,
      message: "no declared sysctl key was observed",
    };
  const differing = Object.keys(observed);
  return differing.length === 0
    ? {
        status: "pass",
        observed: { differing: {}, unobserved },
        expected: {},
        message: `${compared} sysctl key(s) as declared`,
      }
    : {
        status: "fail",
        observed: { differing: observed, unobserved },
        expected,
        message: `sysctl drift on ${differing.join(", ")}`,
      };
}

function kernelParamsDrift(facts: Facts, report: RuntimeReport): Finding {
  const declared = stringListAt(facts, ["boot", "kernelParams"]);
  const cmdline = report.kernelCmdline;
  if (!Array.isArray(cmdline))
    return {
      status: "not-applicable",
      observed: null,
      expected: declared,
      message: "the runtime report has no kernel command line",
    };
  if (declared.length === 0)
    return {
      status: "not-applicable",
      observed: cmdline,
      expected: [],
      message: "no boot.kernelParams declared",
    };
  const missing = declared.filter((p) => !cmdline.includes(p));
  return missing.length === 0
    ? {
        status: "pass",
        observed: { missing: [] },
        expected: declared,
        message: `${declared.length} kernel parameter(s) in effect`,
      }
    : {
        status: "fail",
        observed: { missing },
        expected: declared,
        message: `not on the running command line: ${missing.join(" ")} (reboot pending?)`,
      };
}

function mountsDrift(facts: Facts, report: RuntimeReport): Finding {
  const declared = recordAt(facts, ["fileSystems"]);
  const mounts = report.mounts;
  if (!Array.isArray(mounts))
    return {
      status: "not-applicable",
      observed: null,
      expected: null,
      message: "the runtime report has no mounts",
    };
  const points = Object.keys(declared).sort();
  if (points.length === 0)
    return { status: "not-applicable", observed: null, expected: null, message: "no fileSystems declared" };
  const observed: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const point of points) {
    const wantFlags = stringListAt(declared[point], ["options"]).filter((o) => MOUNT_FLAGS.includes(o));
    const live = [...mounts].reverse().find((m) => m.mountPoint === point);
    if (!live) {
      observed[point] = "not mounted";
      expected[point] = { mounted: true, flags: wantFlags };
      continue;
    }
    const missing = wantFlags.filter((f) => !live.options.includes(f));
    if (missing.length > 0) {
      observed[point] = { missingFlags: missing, options: live.options };
      expected[point] = { flags: wantFlags };
    }
  }
  const differing = Object.keys(observed);
  return differing.length === 0
    ? { status: "pass", observed: {}, expected: {}, message: `${points.length} mount point(s) as declared` }
    : { status: "fail", observed, expected, message: `mount drift on ${differing.join(", ")}` };
}

/** Compares eval-time facts with a runtime report; one result per drift family. */
export function detectDrift(facts: Facts, report: RuntimeReport): ControlResult[] {
  const host =
    (typeof report.hostName === "string" && report.hostName !== "" ? report.hostName : undefined) ??
    (typeof getPath(facts, "nixfleet.meta.hostName") === "string"
      ? (facts.nixfleet.meta.hostName as string)
      : report.machineId);
  const at = report.collectedAt;
  return [
    result("drift.generation", "high", host, generationDrift(facts, report), at),
    result("drift.kernel-params", "medium", host, kernelParamsDrift(facts, report), at),
    result("drift.mounts", "medium", host, mountsDrift(facts, report), at),
    result("drift.sysctl", "medium", host, sysctlDrift(facts, report), at),
  ];
}
