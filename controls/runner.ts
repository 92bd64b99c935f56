/**
 * Pure runners: controls × facts (eval time) or × runtime report → ControlResult[] (schemas/control-result).
 * A check that throws becomes an "error" result carrying the message; a host of another platform gets
 * "not-applicable". Waivers are applied later by the governance engine, never here.
 */
import type { ControlResult } from "../schemas/generated/control-result.js";
import { isRecord, platformOf } from "./check.js";
import type { CheckOutcome, Control, Facts, RuntimeReport } from "./types.js";

function toResult(
  control: Control,
  host: string,
  source: "eval" | "runtime",
  outcome: CheckOutcome,
  collectedAt: string | undefined,
): ControlResult {
  const result: ControlResult = {
    controlId: control.id,
    title: control.title,
    host,
    status: outcome.status,
    source,
    severity: control.severity,
    // JSON has no undefined: an absent value is observed as null.
    observed: jsonSafe(outcome.observed),
    expected: jsonSafe(outcome.expected),
    message: outcome.message,
    remediation: control.remediation,
    mappings: control.mappings.map((m) => ({ framework: m.framework, requirement: m.requirement })),
  };
  if (collectedAt !== undefined) result.collectedAt = collectedAt;
  return result;
}

/** True when a value is plain JSON already (the common case), so it need not be copied. */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (depth > 32 || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (!isPlainJson(record[key], depth + 1)) return false;
  return true;
}

/** Drops undefined and non-JSON values so results always serialise and canonicalise identically. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  if (isPlainJson(value)) return value;
  try {
    return JSON.parse(JSON.stringify(value)) ?? null;
  } catch {
    return String(value);
  }
}

function run(check: () => CheckOutcome): CheckOutcome {
  try {
    const outcome = check();
    if (!isRecord(outcome) || typeof outcome.status !== "string")
      return { status: "error", observed: null, expected: null, message: "the check returned no outcome" };
    return outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: "error", observed: null, expected: null, message: `check failed: ${message}` };
  }
}

function isDateTime(value: unknown): value is string {
  return (
    typeof value === "string" &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  );
}

/** Evaluates controls on one host's eval-time facts. */
export function evaluateHost(host: string, facts: Facts, controls: readonly Control[]): ControlResult[] {
  const platform = platformOf(facts);
  const meta: unknown = isRecord(facts) && isRecord(facts.nixfleet) ? facts.nixfleet.meta : undefined;
  const collectedAt = isRecord(meta) && isDateTime(meta.collectedAt) ? meta.collectedAt : undefined;
  return controls.map((control) => {
    if (!control.platforms.includes(platform)) {
      return toResult(
        control,
        host,
        "eval",
        {
          status: "not-applicable",
          observed: platform,
          expected: control.platforms,
          message: `applies to ${control.platforms.join(", ")}, host is ${platform}`,
        },
        collectedAt,
      );
    }
    return toResult(
      control,
      host,
      "eval",
      run(() => control.eval(facts)),
      collectedAt,
    );
  });
}

/** Evaluates the runtime checks of controls on what an agent observed; controls without one are skipped. */
export function evaluateRuntime(
  report: RuntimeReport,
  controls: readonly Control[],
  facts?: Facts,
): ControlResult[] {
  const platform = report.platform ?? (facts ? platformOf(facts) : "nixos");
  const host =
    (typeof report.hostName === "string" && report.hostName !== "" ? report.hostName : undefined) ??
    facts?.nixfleet?.meta?.hostName ??
    report.machineId;
  const collectedAt = isDateTime(report.collectedAt) ? report.collectedAt : undefined;
  const results: ControlResult[] = [];
  for (const control of controls) {
    const runtime = control.runtime;
    if (!runtime) continue;
    if (!control.platforms.includes(platform)) {
      results.push(
        toResult(
          control,
          host,
          "runtime",
          {
            status: "not-applicable",
            observed: platform,
            expected: control.platforms,
            message: `applies to ${control.platforms.join(", ")}, host is ${platform}`,
          },
          collectedAt,
        ),
      );
      continue;
    }
    results.push(
      toResult(
        control,
        host,
        "runtime",
        run(() => runtime.call(control, report, facts)),
        collectedAt,
      ),
    );
  }
  return results;
}
