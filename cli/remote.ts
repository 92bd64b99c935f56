/**
 * Talking to a control plane from the CLI: the shared options (--server / NIXFLEET_URL, --token /
 * NIXFLEET_TOKEN, --ca / NIXFLEET_CA, --json), a small HTTP client that turns problem+json answers into
 * readable errors, and output helpers (tables for people, JSON for automation). Command groups use it as:
 *
 *   const cmd = withRemoteOptions(group.command("list"));
 *   cmd.action(async (opts) => { const api = remoteClient(opts); const page = await api.get("/api/v1/machines"); … });
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Command } from "commander";
import { UsageError } from "./errors.js";

export interface RemoteOptions {
  server?: string;
  token?: string;
  ca?: string;
  json?: boolean;
}

/** Adds --server, --token, --ca and --json to a command. */
export function withRemoteOptions(cmd: Command): Command {
  return cmd
    .option("--server <url>", "control plane URL (env NIXFLEET_URL; default http://127.0.0.1:8080)")
    .option("--token <token>", "bearer token (env NIXFLEET_TOKEN)")
    .option("--ca <file>", "CA certificate (PEM) that signed the server's certificate (env NIXFLEET_CA)")
    .option("--json", "print JSON for automation instead of tables");
}

/** A problem+json (or other non-2xx) answer from the control plane. 4xx about the input exit 2, others 1. */
export class RemoteError extends Error {
  override name = "RemoteError";
  readonly exitCode: number;
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown> | null,
    message: string,
  ) {
    super(message);
    this.exitCode = status === 400 || status === 413 || status === 422 ? 2 : 1;
  }
}

export interface RemoteAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function describeProblem(method: string, path: string, status: number, body: string): RemoteError {
  let problem: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object") problem = parsed as Record<string, unknown>;
  } catch {
    // not JSON: reported as text below
  }
  const lines = [`${method} ${path}: ${status} ${String(problem?.title ?? "")}`.trim()];
  if (typeof problem?.detail === "string") lines.push(`  ${problem.detail}`);
  if (Array.isArray(problem?.issues))
    for (const issue of (problem.issues as { path?: string; message?: string }[]).slice(0, 10))
      lines.push(`  at ${issue.path || "/"}: ${issue.message ?? ""}`);
  if (!problem && body) lines.push(`  ${body.slice(0, 300)}`);
  if (typeof problem?.requestId === "string") lines.push(`  (request id ${problem.requestId})`);
  return new RemoteError(status, problem, lines.join("\n"));
}

export class RemoteClient {
  constructor(
    readonly baseUrl: URL,
    private readonly token: string | undefined,
    private readonly ca: Buffer | undefined,
  ) {}

  /** Sends a request; resolves with any status (no throwing on 4xx/5xx). */
  send(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | string[] | undefined>,
  ): Promise<RemoteAnswer> {
    const url = new URL(
      path.replace(/^\//, ""),
      this.baseUrl.href.endsWith("/") ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    for (const [k, v] of Object.entries(query ?? {}))
      for (const item of [v ?? []].flat()) url.searchParams.append(k, item);
    const payload =
      body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const headers: Record<string, string> = { accept: "application/json, application/problem+json, */*" };
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(payload.length);
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const isHttps = url.protocol === "https:";
    const doRequest = isHttps ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = doRequest(
        url,
        { method, headers, ...(isHttps && this.ca ? { ca: this.ca } : {}), timeout: 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within 60 s")));
      req.on("error", (err: NodeJS.ErrnoException) =>
        reject(
          Object.assign(
            new Error(`cannot reach the control plane at ${this.baseUrl.href}: ${err.code ?? err.message}`),
            { exitCode: 1 },
          ),
        ),
      );
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Sends a request and returns the parsed JSON body of a 2xx answer; throws RemoteError otherwise. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | string[] | undefined>,
  ): Promise<T> {
    const answer = await this.send(method, path, body, query);
    if (answer.status < 200 || answer.status >= 300)
      throw describeProblem(method, path, answer.status, answer.body);
    return (answer.body ? JSON.parse(answer.body) : null) as T;
  }

  /** Like call but returns the body text (exports). */
  async text(
    method: string,
    path: string,
    query?: Record<string, string | string[] | undefined>,
  ): Promise<string> {
    const answer = await this.send(method, path, undefined, query);
    if (answer.status < 200 || answer.status >= 300)
      throw describeProblem(method, path, answer.status, answer.body);
    return answer.body;
  }

  get<T>(path: string, query?: Record<string, string | string[] | undefined>): Promise<T> {
    return this.call<T>("GET", path, undefined, query);
  }
}

/** The client for a command's options, with the environment as fallback (read here and nowhere else). */
export function remoteClient(opts: RemoteOptions, env: NodeJS.ProcessEnv = process.env): RemoteClient {
  const server = opts.server ?? env.NIXFLEET_URL ?? "http://127.0.0.1:8080";
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server: ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError("--server must be an http(s) URL");
  const caFile = opts.ca ?? env.NIXFLEET_CA;
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      throw new UsageError(`--ca ${caFile}: ${(err as Error).message}`);
    }
  }
  return new RemoteClient(url, opts.token ?? env.NIXFLEET_TOKEN, ca);
}

/** Prints rows as an aligned text table. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (v: unknown) =>
    v === null || v === undefined ? "-" : Array.isArray(v) ? v.join(",") : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join("\n");
}

/** Writes `data` as JSON (--json) or the human rendering. */
export function output(opts: { json?: boolean }, data: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}
