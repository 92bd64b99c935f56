/**
 * `nixfleet rollout plan|start|status|watch|pause|resume|abort|promote|retry|list`: governed rollouts on a
 * control plane. The spec comes from --spec FILE (JSON or YAML) and/or flags, is checked against
 * schemas/rollout-spec.schema.json before anything is sent (exit 2 naming the source and JSON path), and
 * `plan` shows the batches and the gate's decision without starting anything.
 */
import type { Command } from "commander";
import type { GateDecision } from "../schemas/generated/gate-decision.js";
import type { Rollout } from "../schemas/generated/rollout.js";
import type { RolloutEvent } from "../schemas/generated/rollout-event.js";
import type { RolloutPlan } from "../schemas/generated/rollout-plan.js";
import type { RolloutSpec } from "../schemas/generated/rollout-spec.js";
import { validate } from "../schemas/registry.js";
import { CheckFailed, UsageError } from "./errors.js";
import { group } from "./groups.js";
import { readDocument, renderDecision } from "./policy.js";
import { output, RemoteError, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";
import { parseDuration } from "./waiver.js";

const collect = (v: string, acc: string[]) => [...acc, v];
const TERMINAL = new Set(["succeeded", "failed", "aborted"]);
const path = (id: string, rest = "") => `/api/v1/rollouts/${encodeURIComponent(id)}${rest}`;

interface SpecOptions {
  spec?: string;
  strategy?: string;
  batches?: string;
  failureThreshold?: string;
  errorBudget?: string;
  onFailure?: string;
  bake?: string;
  healthTimeout?: string;
  confirmWindow?: string;
  maxInFlight?: string;
  tag: string[];
  anyTag: string[];
  host: string[];
  exclude: string[];
  all?: boolean;
}

interface RequestOptions extends SpecOptions, RemoteOptions {
  release?: string;
  rollbackOf?: string;
  id?: string;
}

function withSpecOptions(cmd: Command): Command {
  return cmd
    .option("--release <id>", "the release to roll out")
    .option(
      "--rollback-of <rollout>",
      "roll back this rollout (without --release: each host's previous generation)",
    )
    .option(
      "--id <rol_id>",
      "use this rollout id (it seeds the host order): start exactly what `plan` showed",
    )
    .option(
      "--spec <file>",
      "a rollout spec (JSON or YAML, schemas/rollout-spec.schema.json); flags override it",
    )
    .option("--strategy <s>", "canary | staged | all-at-once (default staged)")
    .option("--batches <list>", 'cumulative sizes, counts or percentages: "1,10%,50%,100%"')
    .option("--failure-threshold <n|p%>", "failed hosts a batch tolerates (default 0)")
    .option("--error-budget <n|p%>", "failed hosts the whole rollout tolerates")
    .option("--on-failure <action>", "pause | revert (default pause)")
    .option("--bake <duration>", "how long each batch must stay healthy (30s, 5m)")
    .option("--health-timeout <duration>", "the agent's health-check time")
    .option("--confirm-window <duration>", "the agent's time to confirm after its checks")
    .option("--max-in-flight <n>", "hosts assigned and not settled, at most")
    .option("--tag <tag>", "target machines with every such tag (repeatable)", collect, [] as string[])
    .option(
      "--any-tag <tag>",
      "target machines with at least one such tag (repeatable)",
      collect,
      [] as string[],
    )
    .option("--host <host>", "target this machine (repeatable)", collect, [] as string[])
    .option("--exclude <host>", "never target this machine (repeatable)", collect, [] as string[])
    .option("--all", "target the whole fleet (never implied)");
}

function amount(text: string): string | number {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** The rollout spec from --spec and flags, validated; undefined for a rollback given no spec at all. */
export function specFrom(opts: SpecOptions, rollback: boolean): RolloutSpec | undefined {
  const base = (opts.spec ? readDocument(opts.spec) : {}) as Record<string, unknown>;
  if (typeof base !== "object" || base === null || Array.isArray(base))
    throw new UsageError(`${opts.spec}: a rollout spec is a JSON object`);
  const spec: Record<string, unknown> = { ...base };
  const targets: Record<string, unknown> = {
    ...((base.targets as Record<string, unknown> | undefined) ?? {}),
  };
  let touched = Boolean(opts.spec);
  const set = (key: string, value: unknown) => {
    spec[key] = value;
    touched = true;
  };
  if (opts.strategy) set("strategy", opts.strategy);
  if (opts.batches)
    set(
      "batches",
      opts.batches.split(",").map((b) => amount(b.trim())),
    );
  if (opts.failureThreshold) set("failureThreshold", amount(opts.failureThreshold));
  if (opts.errorBudget) set("errorBudget", amount(opts.errorBudget));
  if (opts.onFailure) set("onFailure", opts.onFailure);
  if (opts.bake) set("bakeTimeMs", parseDuration(opts.bake, "--bake"));
  if (opts.healthTimeout) set("healthTimeoutMs", parseDuration(opts.healthTimeout, "--health-timeout"));
  if (opts.confirmWindow) set("confirmWindowMs", parseDuration(opts.confirmWindow, "--confirm-window"));
  if (opts.maxInFlight) {
    if (!/^\d+$/.test(opts.maxInFlight)) throw new UsageError("--max-in-flight must be a whole number");
    set("maxInFlight", Number(opts.maxInFlight));
  }
  const tags = { ...((targets.tags as Record<string, unknown> | undefined) ?? {}) };
  if (opts.tag.length) tags.all = opts.tag;
  if (opts.anyTag.length) tags.any = opts.anyTag;
  if (Object.keys(tags).length) targets.tags = tags;
  if (opts.host.length) targets.hosts = opts.host;
  if (opts.exclude.length) targets.exclude = opts.exclude;
  if (opts.all) targets.all = true;
  if (Object.keys(targets).length) {
    spec.targets = targets;
    touched = true;
  }
  if (rollback && !touched) return undefined;
  spec.strategy ??= "staged";
  if (!spec.targets) {
    if (rollback) spec.targets = { all: true };
    else throw new UsageError("no targets: give --tag, --any-tag, --host, or --all for the whole fleet");
  }
  return validate<RolloutSpec>(
    "rollout-spec",
    spec,
    opts.spec ? `${opts.spec} with command-line options` : "command-line options",
  );
}

function requestFrom(opts: RequestOptions): Record<string, unknown> {
  if (!opts.release && !opts.rollbackOf)
    throw new UsageError("give --release (or --rollback-of for a rollback)");
  const spec = specFrom(opts, Boolean(opts.rollbackOf));
  return {
    ...(opts.release ? { releaseId: opts.release } : {}),
    ...(opts.rollbackOf ? { rollbackOf: opts.rollbackOf } : {}),
    ...(opts.id ? { rolloutId: opts.id } : {}),
    ...(spec ? { spec } : {}),
  };
}

function renderPlan(plan: RolloutPlan): string {
  const lines = [
    `plan ${plan.rolloutId}: ${plan.targets} target(s) in ${plan.batches.length} batch(es)${plan.rollbackOf ? ` (rollback of ${plan.rollbackOf})` : ""}`,
    table(
      plan.batches.map((b) => ({
        batch: b.index + 1,
        amount: b.amount,
        hosts: b.hosts.length,
        reached: b.cumulative,
        first: b.hosts.slice(0, 5).join(",") + (b.hosts.length > 5 ? ",…" : ""),
      })),
      ["batch", "amount", "hosts", "reached", "first"],
    ),
    renderDecision(plan.gate.decision as GateDecision),
  ];
  if (plan.conflicts.length)
    lines.push(
      `${plan.conflicts.length} target(s) are in another active rollout (start would answer 409): ${plan.conflicts
        .slice(0, 5)
        .map((c) => `${c.machineId} in ${c.rolloutId}`)
        .join(", ")}`,
    );
  lines.push(`start exactly this plan with the same options and --id ${plan.rolloutId}`);
  return lines.join("\n");
}

function renderStatus(r: Rollout): string {
  const head = `${r.id}  ${r.status.toUpperCase()}${r.pauseReason ? ` (${r.pauseReason})` : ""}${r.failureReason ? ` (${r.failureReason})` : ""}  release ${r.releaseId ?? "(previous generations)"}${r.rollbackOf ? `  rollback of ${r.rollbackOf}` : ""}  batch ${r.currentBatch + 1}/${r.batches.length}  ${r.failedHosts} failed of ${r.targets}`;
  const lines = [
    head,
    table(
      r.batches.map((b) => ({
        ...b,
        batch: b.index + 1,
        progress: `${b.confirmed + b.failed + b.inconclusive}/${b.size}`,
      })),
      [
        "batch",
        "amount",
        "phase",
        "progress",
        "inFlight",
        "confirmed",
        "failed",
        "inconclusive",
        "gateDecisionId",
      ],
    ),
  ];
  if (r.hosts?.length)
    lines.push(
      table(
        r.hosts.map((h) => ({ ...h, batch: h.batch + 1 })),
        ["machineId", "batch", "outcome", "attempt", "inconclusive", "reason"],
      ),
    );
  if (r.revertRolloutId) lines.push(`reverted by ${r.revertRolloutId}`);
  return lines.join("\n");
}

/** One progress bar per batch: █ confirmed, ✗ failed, ? inconclusive, ▒ in flight, ░ waiting. */
export function progressBars(r: Rollout, width = 30): string[] {
  return r.batches.map((b) => {
    const cells = (n: number) => Math.round((n / Math.max(1, b.size)) * width);
    const ok = cells(b.confirmed);
    const bad = cells(b.failed);
    const unsure = cells(b.inconclusive);
    const flying = Math.min(width - ok - bad - unsure, cells(b.inFlight));
    const rest = Math.max(0, width - ok - bad - unsure - flying);
    const bar = "█".repeat(ok) + "✗".repeat(bad) + "?".repeat(unsure) + "▒".repeat(flying) + "░".repeat(rest);
    const marker = b.index === r.currentBatch && !TERMINAL.has(r.status) ? ">" : " ";
    return `${marker} batch ${String(b.index + 1).padStart(2)} ${b.amount.padEnd(6)} [${bar}] ${String(b.confirmed).padStart(5)}/${b.size} ${b.phase}${b.failed ? `, ${b.failed} failed` : ""}${b.inconclusive ? `, ${b.inconclusive} inconclusive` : ""}`;
  });
}

function plainEvent(e: RolloutEvent): string {
  return `${e.at} ${e.kind}${e.batch !== null && e.batch !== undefined ? ` batch=${e.batch + 1}` : ""}${e.machineId ? ` host=${e.machineId}` : ""} ${e.message}`;
}

async function watch(id: string, opts: RemoteOptions & { interval?: string }): Promise<Rollout> {
  const api = remoteClient(opts);
  const tty = !opts.json && process.stdout.isTTY === true;
  let after = 0;
  let drawn = 0;
  const recent: string[] = [];
  for (;;) {
    const page = await api.get<{ items: RolloutEvent[]; after: number; status: string }>(
      path(id, "/events"),
      {
        after: String(after),
        wait: "10000",
      },
    );
    for (const e of page.items) {
      if (opts.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else if (tty) recent.push(plainEvent(e));
      else process.stdout.write(`${plainEvent(e)}\n`);
    }
    after = page.after;
    const status = await api.get<Rollout>(path(id), { hosts: "none" });
    if (tty) {
      const lines = [renderStatus(status).split("\n")[0]!, ...progressBars(status), ...recent.slice(-6)];
      process.stdout.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ""}${lines.join("\n")}\n`);
      drawn = lines.length;
    }
    if (TERMINAL.has(status.status)) return status;
  }
}

function operatorCommand(
  rollout: Command,
  verb: "pause" | "resume" | "promote" | "retry",
  description: string,
): void {
  withRemoteOptions(rollout.command(verb).description(description).argument("<id>", "rollout id")).action(
    async (id: string, opts: RemoteOptions) => {
      const r = await remoteClient(opts).call<Rollout>("POST", path(id, `/${verb}`));
      output(opts, r, () => renderStatus(r));
    },
  );
}

export function registerRolloutCommand(program: Command): void {
  const rollout = group(program, "rollout", "Governed rollouts: plan, start, watch, steer");

  withRemoteOptions(
    withSpecOptions(
      rollout
        .command("plan")
        .description(
          "Show the batches and the governance gate's decision without starting anything (exit 1 when the gate would block)",
        ),
    ),
  ).action(async (opts: RequestOptions) => {
    const plan = await remoteClient(opts).call<RolloutPlan>(
      "POST",
      "/api/v1/rollouts/plan",
      requestFrom(opts),
    );
    output(opts, plan, () => renderPlan(plan));
    if (!plan.gate.allow) throw new CheckFailed("the governance gate would block this rollout", true);
  });

  withRemoteOptions(
    withSpecOptions(
      rollout
        .command("start")
        .description(
          "Start a rollout (exit 1 when the governance gate blocks it; the decision is kept as evidence)",
        ),
    ),
  ).action(async (opts: RequestOptions) => {
    try {
      const started = await remoteClient(opts).call<{ rollout: Rollout }>(
        "POST",
        "/api/v1/rollouts",
        requestFrom(opts),
      );
      output(
        opts,
        started,
        () => `${renderStatus(started.rollout)}\nwatch it with: nixfleet rollout watch ${started.rollout.id}`,
      );
    } catch (err) {
      if (err instanceof RemoteError && err.status === 412 && err.problem?.decision) {
        const decision = err.problem.decision as GateDecision;
        output(
          opts,
          err.problem,
          () =>
            `blocked by the governance gate (decision ${String(err.problem?.gateDecisionId)}, evidence ${String(err.problem?.evidenceId)})\n${renderDecision(decision)}`,
        );
        throw new CheckFailed("the governance gate blocked the rollout", true);
      }
      throw err;
    }
  });

  withRemoteOptions(
    rollout
      .command("status")
      .description("A rollout's state, batches, and the hosts that need attention")
      .argument("<id>", "rollout id")
      .option("--hosts <which>", "none | problems | all", "problems"),
  ).action(async (id: string, opts: RemoteOptions & { hosts: string }) => {
    if (!["none", "problems", "all"].includes(opts.hosts))
      throw new UsageError("--hosts is none, problems or all");
    const r = await remoteClient(opts).get<Rollout>(path(id), { hosts: opts.hosts });
    output(opts, r, () => renderStatus(r));
  });

  withRemoteOptions(
    rollout
      .command("watch")
      .description(
        "Follow a rollout until it ends: progress bars per batch on a terminal, plain lines otherwise, JSON events (one per line) with --json; exit 1 unless it succeeds",
      )
      .argument("<id>", "rollout id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const final = await watch(id, opts);
    if (final.status !== "succeeded")
      throw new CheckFailed(`rollout ${id} ${final.status}`, Boolean(opts.json));
  });

  operatorCommand(rollout, "pause", "Pause: assign nothing new (hosts in flight still report)");
  operatorCommand(
    rollout,
    "resume",
    "Resume (asks a blocked gate again; accepts a failed or inconclusive batch)",
  );
  operatorCommand(rollout, "promote", "Skip the current batch's bake (never the governance gate)");
  operatorCommand(rollout, "retry", "Queue the current batch's failed and inconclusive hosts again");

  withRemoteOptions(
    rollout
      .command("abort")
      .description("Abort for good, keeping updated hosts (default) or reverting them (--revert)")
      .argument("<id>", "rollout id")
      .option("--revert", "start a rollback to each touched host's previous generation"),
  ).action(async (id: string, opts: RemoteOptions & { revert?: boolean }) => {
    const r = await remoteClient(opts).call<Rollout>("POST", path(id, "/abort"), {
      revert: Boolean(opts.revert),
    });
    output(opts, r, () => renderStatus(r));
  });

  withRemoteOptions(
    rollout
      .command("list")
      .description("Rollouts, newest first")
      .option("--status <status>", "pending | running | paused | succeeded | failed | aborted")
      .option("--limit <n>", "how many", "50"),
  ).action(async (opts: RemoteOptions & { status?: string; limit: string }) => {
    const page = await remoteClient(opts).get<{ items: Rollout[] }>("/api/v1/rollouts", {
      status: opts.status,
      limit: opts.limit,
    });
    output(opts, page, () =>
      table(
        page.items.map((r) => ({
          ...r,
          batch: `${r.currentBatch + 1}/${r.batches.length}`,
          release: r.releaseId ?? "(previous)",
        })),
        ["id", "status", "release", "batch", "targets", "failedHosts", "rollbackOf", "createdAt"],
      ),
    );
  });
}
