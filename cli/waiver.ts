/**
 * `nixfleet waiver request|approve|list|revoke`: time-boxed exceptions to a control. A waiver counts only
 * once an admin other than the requester approves it (four eyes), and only until it expires.
 */
import type { Command } from "commander";
import type { WaiverRecord } from "../schemas/generated/waiver-record.js";
import { UsageError } from "./errors.js";
import { group } from "./groups.js";
import { output, type RemoteOptions, remoteClient, table, withRemoteOptions } from "./remote.js";

const collect = (v: string, acc: string[]) => [...acc, v];
const COLUMNS = ["id", "state", "controlId", "scope", "expiresAt", "requestedBy", "approvedBy"];

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "30s", "5m", "2h", "7d", "1w" or plain milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d{1,12})(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `${option}: ${JSON.stringify(text)} is not a duration (e.g. 500ms, 30s, 5m, 2h, 7d)`,
    );
  return Number(m[1]) * UNITS[m[2] ?? "ms"]!;
}

/** --expires: an ISO 8601 date-time, or a duration from now ("7d"). */
export function parseExpiry(text: string, now = Date.now()): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new UsageError(`--expires: ${JSON.stringify(text)} is not a date-time`);
    return new Date(ms).toISOString();
  }
  return new Date(now + parseDuration(text, "--expires")).toISOString();
}

function rows(items: WaiverRecord[]) {
  return items.map((w) => ({
    ...w,
    scope: [...w.hosts, ...w.tags.map((t) => `tag:${t}`)].join(",") || "every host",
  }));
}

export function registerWaiverCommand(program: Command): void {
  const waiver = group(
    program,
    "waiver",
    "Exceptions to a control: request, approve (another admin), list, revoke",
  );

  withRemoteOptions(
    waiver
      .command("request")
      .description("Request a waiver for one control; it counts once another admin approves it")
      .requiredOption("--control <id>", "the control id, e.g. ssh-no-root-login")
      .requiredOption("--rationale <text>", "why the exception is acceptable, and until when")
      .requiredOption("--expires <when>", "ISO 8601 date-time, or a duration from now (7d, 12h)")
      .option(
        "--host <host>",
        "host name covered (repeatable; none and no --tag: every host)",
        collect,
        [] as string[],
      )
      .option("--tag <tag>", "machines with this tag are covered (repeatable)", collect, [] as string[]),
  ).action(
    async (
      opts: RemoteOptions & {
        control: string;
        rationale: string;
        expires: string;
        host: string[];
        tag: string[];
      },
    ) => {
      const body = {
        controlId: opts.control,
        rationale: opts.rationale,
        expiresAt: parseExpiry(opts.expires),
        ...(opts.host.length ? { hosts: opts.host } : {}),
        ...(opts.tag.length ? { tags: opts.tag } : {}),
      };
      const w = await remoteClient(opts).call<WaiverRecord>("POST", "/api/v1/waivers", body);
      output(
        opts,
        w,
        () => `${table(rows([w]), COLUMNS)}\nwaiting for approval by an admin other than ${w.requestedBy}`,
      );
    },
  );

  withRemoteOptions(
    waiver
      .command("approve")
      .description("Approve a requested waiver (admin, not the requester)")
      .argument("<id>", "waiver id"),
  ).action(async (id: string, opts: RemoteOptions) => {
    const w = await remoteClient(opts).call<WaiverRecord>(
      "POST",
      `/api/v1/waivers/${encodeURIComponent(id)}/approve`,
    );
    output(opts, w, () => table(rows([w]), COLUMNS));
  });

  withRemoteOptions(
    waiver
      .command("list")
      .description("List waivers with their state now")
      .option("--state <state>", "requested | active | expired | revoked"),
  ).action(async (opts: RemoteOptions & { state?: string }) => {
    const page = await remoteClient(opts).get<{ items: WaiverRecord[] }>("/api/v1/waivers", {
      state: opts.state,
    });
    output(opts, page, () => table(rows(page.items), COLUMNS));
  });

  withRemoteOptions(
    waiver
      .command("revoke")
      .description("Revoke a waiver: it stops counting at once (admin)")
      .argument("<id>", "waiver id")
      .requiredOption("--reason <text>", "why"),
  ).action(async (id: string, opts: RemoteOptions & { reason: string }) => {
    const w = await remoteClient(opts).call<WaiverRecord>(
      "POST",
      `/api/v1/waivers/${encodeURIComponent(id)}/revoke`,
      {
        reason: opts.reason,
      },
    );
    output(opts, w, () => table(rows([w]), COLUMNS));
  });
}
