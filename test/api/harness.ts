/** In-process control planes for API tests: a fresh migrated database per plane, tokens per role, a driven clock. */
import pino from "pino";
import { createControlPlane } from "../../api/app.js";
import { type Db, migrate, openDatabase } from "../../api/db/client.js";
import { type Clock, CONFIG_DEFAULTS, type ResolvedServerConfig } from "../../api/env.js";
import { systemContext } from "../../api/services/context.js";
import { createToken } from "../../api/services/createToken.js";
import { registerMachine } from "../../api/services/registerMachine.js";
import type { Machine } from "../../schemas/generated/machine.js";

export class TestClock implements Clock {
  constructor(public ms = Date.parse("2026-11-25T12:00:00Z")) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** raw body text (sent as is, with content-type application/json unless headers say otherwise) */
  raw?: string;
  headers?: Record<string, string>;
}

export interface TestPlane {
  db: Db;
  clock: TestClock;
  app: ReturnType<typeof createControlPlane>["app"];
  runtime: ReturnType<typeof createControlPlane>["runtime"];
  tokens: { admin: string; operator: string; auditor: string };
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  json<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: CallOptions,
  ): Promise<{ status: number; body: T; res: Response }>;
  machine(id?: string, tags?: string[]): Machine;
  agentToken(machineId: string): string;
  auditCount(): number;
}

let counter = 0;

/** A unique machine id for this test process. */
export function uniqueId(prefix = "m"): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

export function testPlane(config: Partial<ResolvedServerConfig> = {}, dbPath = ":memory:"): TestPlane {
  const db = openDatabase(dbPath);
  migrate(db);
  const clock = new TestClock();
  const { app, runtime } = createControlPlane({
    db,
    clock,
    keys: {},
    logger: pino({ level: "silent" }),
    config: { ...CONFIG_DEFAULTS, listen: "127.0.0.1:0", db: dbPath, ...config },
  });
  const sys = systemContext(db, clock, "test setup");
  const token = (role: "admin" | "operator" | "auditor") => createToken({ ctx: sys, input: { role } }).token;
  const tokens = { admin: token("admin"), operator: token("operator"), auditor: token("auditor") };
  const call = (method: string, path: string, o: CallOptions = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  return {
    db,
    clock,
    app,
    runtime,
    tokens,
    call,
    async json<T>(method: string, path: string, o?: CallOptions) {
      const res = await call(method, path, o);
      const text = await res.clone().text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T, res };
    },
    machine(id = uniqueId(), tags: string[] = []) {
      return registerMachine({ ctx: sys, input: { id, tags } });
    },
    agentToken(machineId: string) {
      return createToken({ ctx: sys, input: { role: "agent", machineId } }).token;
    },
    auditCount() {
      return (db.sqlite.prepare("SELECT count(*) AS n FROM audit_events").get() as { n: number }).n;
    },
  };
}
