/**
 * `nixfleet policy show|set|check`: the governance policy on a control plane. `check` answers what the gate
 * would decide now for a release (exit 1 when it would block), under the policy in force or a candidate file.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import YAML from "yaml";
import type { GateDecision } from "../schemas/generated/gate-decision.js";
import type { Policy } from "../schemas/generated/policy.js";
import type { PolicyCheckResult } from "../schemas/generated/policy-check-result.js";
import type { PolicyRecord } from "../schemas/generated/policy-record.js";
import { validate } from "../schemas/registry.js";
import { CheckFailed, UsageError } from "./errors.js";
import { group } from "./groups.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

const collect = (v: string, acc: string[]) => [...acc, v];

/** Reads a JSON or YAML document from a file (exit 2 naming the file when it cannot). */
export function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${file}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${(err as Error).message}`,
    );
  }
}

/** A policy file, checked against schemas/policy.schema.json (exit 2 with the JSON path of the problem). */
export function readPolicyFile(file: string): Policy {
  return validate<Policy>("policy", readDocument(file), file);
}

function renderPolicy(p: PolicyRecord): string {
  const d = p.document;
  const lines = [
    `policy version ${p.version}${p.isDefault ? " (built-in default: no policy was ever set)" : ` by ${p.createdBy} at ${p.createdAt}`}`,
    `mode:          ${d.mode ?? "enforce"}${d.modes?.length ? ` (+${d.modes.length} per-environment/tag rule(s))` : ""}`,
    `frameworks:    ${d.frameworks?.join(", ") || "(all)"}`,
    `required:      ${(d.requiredControls ?? ["*"]).join(", ")}`,
    `advisory:      ${(d.advisoryControls ?? []).join(", ") || "-"}`,
    `freshness:     eval ${d.freshness?.evalMaxAgeHours ?? 720} h, runtime ${d.freshness?.runtimeMaxAgeHours ?? 24} h`,
  ];
  const waivers = p.waivers ?? [];
  lines.push(`active waivers: ${waivers.length}`);
  if (waivers.length)
    lines.push(
      table(
        waivers.map((w) => ({
          ...w,
          scope: [...w.hosts, ...w.tags.map((t) => `tag:${t}`)].join(",") || "every host",
        })),
        ["id", "controlId", "scope", "expiresAt", "approvedBy"],
      ),
    );
  return lines.join("\n");
}

/** The gate decision for people: verdict, counts, and every reason that blocks or warns. */
export function renderDecision(d: GateDecision): string {
  const c = d.counts;
  const lines = [
    `gate: ${d.decision.toUpperCase()} (${d.phase}, mode ${d.mode}) — ${c.targets} target(s), ${c.required} required check(s): ${c.pass} pass, ${c.fail} fail, ${c.waived} waived, ${c.missing} missing, ${c.stale} stale, ${c.error} error, ${c.drift} drift`,
  ];
  const shown = d.reasons.filter((r) => r.blocking || r.why === "waived");
  if (shown.length)
    lines.push(
      table(
        shown.slice(0, 50).map((r) => ({
          ...r,
          effect: r.blocking ? (d.mode === "enforce" ? "blocks" : "warns") : "waived",
        })),
        ["effect", "controlId", "host", "why", "status", "evidenceId", "waiverId"],
      ),
    );
  if (shown.length > 50) lines.push(`… and ${shown.length - 50} more (use --json for all)`);
  return lines.join("\n");
}

export function registerPolicyCommand(program: Command): void {
  const policy = group(
    program,
    "policy",
    "The governance policy every rollout is gated on: show, set, check",
  );

  withRemoteOptions(
    policy.command("show").description("Show the policy in force and its active waivers"),
  ).action(async (opts: RemoteOptions) => {
    const p = await remoteClient(opts).get<PolicyRecord>("/api/v1/policy");
    output(opts, p, () => renderPolicy(p));
  });

  withRemoteOptions(
    policy
      .command("set")
      .description("Put a policy file (JSON or YAML, schemas/policy.schema.json) in force; admin only")
      .requiredOption("--file <file>", "the policy document"),
  ).action(async (opts: RemoteOptions & { file: string }) => {
    const document = readPolicyFile(opts.file);
    const p = await remoteClient(opts).call<PolicyRecord>("PUT", "/api/v1/policy", document);
    output(opts, p, () => renderPolicy(p));
  });

  withRemoteOptions(
    policy
      .command("check")
      .description(
        "What the gate would decide now for a release's machines (exit 1 when it would block); nothing is stored",
      )
      .requiredOption("--release <id>", "release id")
      .option("--file <file>", "judge under this candidate policy instead of the one in force")
      .option("--tag <tag>", "only machines with every such tag (repeatable)", collect, [] as string[])
      .option("--host <host>", "only these machines (repeatable)", collect, [] as string[]),
  ).action(
    async (opts: RemoteOptions & { release: string; file?: string; tag: string[]; host: string[] }) => {
      const body: Record<string, unknown> = { releaseId: opts.release };
      if (opts.file) body.policy = readPolicyFile(opts.file);
      if (opts.tag.length || opts.host.length)
        body.targets = {
          ...(opts.tag.length ? { tags: { all: opts.tag } } : {}),
          ...(opts.host.length ? { hosts: opts.host } : {}),
        };
      const result = await remoteClient(opts).call<PolicyCheckResult>("POST", "/api/v1/policy/check", body);
      output(opts, result, () =>
        [
          ...result.policyIssues.map((i) => `policy problem at ${i.path}: ${i.message}`),
          renderDecision(result.decision as GateDecision),
        ].join("\n"),
      );
      if (result.decision.decision === "block")
        throw new CheckFailed("the gate would block this release", true);
    },
  );
}
