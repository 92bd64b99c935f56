/** Hostile and malformed input: always a 4xx problem+json, never a 5xx, and nothing changes. */
import { describe, expect, it } from "vitest";
import { evidenceBatch } from "./fixtures.js";
import { testPlane, uniqueId } from "./harness.js";

const p = testPlane({ maxBodyBytes: 64 * 1024 });
const machine = p.machine(uniqueId("hostile")).id;
const agent = p.agentToken(machine);

function tableCounts(): Record<string, number> {
  const tables = p.db.sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations'",
    )
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map((t) => [
      t.name,
      (p.db.sqlite.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n,
    ]),
  );
}

interface Case {
  name: string;
  method: string;
  path: string;
  token?: string;
  raw?: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
}

const admin = p.tokens.admin;
const cases: Case[] = [
  { name: "not JSON", method: "POST", path: "/api/v1/machines", token: admin, raw: "{not json", status: 400 },
  {
    name: "truncated JSON",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: '{"id": "x',
    status: 400,
  },
  {
    name: "JSON but an array",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    body: [1, 2],
    status: 422,
  },
  { name: "JSON null", method: "POST", path: "/api/v1/machines", token: admin, raw: "null", status: 422 },
  {
    name: "wrong type",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    body: { id: 42 },
    status: 422,
  },
  {
    name: "unknown field",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    body: { id: "ok-1", isAdmin: true },
    status: 422,
  },
  {
    name: "prototype pollution key",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: '{"__proto__": {"x": 1}, "id": "ok-2"}',
    status: 422,
  },
  {
    name: "bad id characters",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    body: { id: "../etc/passwd" },
    status: 422,
  },
  {
    name: "wrong content type",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: '{"id":"ok-3"}',
    headers: { "content-type": "text/plain" },
    status: 400,
  },
  {
    name: "empty body",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: "",
    headers: { "content-type": "application/json" },
    status: 400,
  },
  {
    name: "oversized body",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: JSON.stringify({ id: "x".repeat(200_000) }),
    status: 413,
  },
  {
    name: "oversized evidence batch",
    method: "POST",
    path: `/api/v1/agents/${machine}/evidence`,
    token: agent,
    body: evidenceBatch(
      machine,
      Array.from({ length: 400 }, (_, i) => `k-${String(i).padStart(8, "0")}`),
    ),
    status: 413,
  },
  {
    name: "huge path parameter",
    method: "GET",
    path: `/api/v1/machines/${"a".repeat(4000)}`,
    token: admin,
    status: 400,
  },
  {
    name: "odd path parameter",
    method: "GET",
    path: "/api/v1/machines/%00%0a%22",
    token: admin,
    status: 400,
  },
  {
    name: "path traversal",
    method: "GET",
    path: "/api/v1/machines/..%2F..%2Fetc",
    token: admin,
    status: 400,
  },
  {
    name: "unicode path parameter",
    method: "PATCH",
    path: "/api/v1/machines/%E2%80%AEevil",
    token: admin,
    body: { lifecycle: "active" },
    status: 400,
  },
  {
    name: "unknown query parameter",
    method: "GET",
    path: "/api/v1/machines?where=1",
    token: admin,
    status: 400,
  },
  {
    name: "page size too large",
    method: "GET",
    path: "/api/v1/machines?limit=100000",
    token: admin,
    status: 400,
  },
  {
    name: "page size not a number",
    method: "GET",
    path: "/api/v1/machines?limit=ten",
    token: admin,
    status: 400,
  },
  {
    name: "forged cursor",
    method: "GET",
    path: "/api/v1/machines?cursor=eyJhIjoxfQ",
    token: admin,
    status: 400,
  },
  {
    name: "bad time filter",
    method: "GET",
    path: "/api/v1/audit?since=yesterday",
    token: admin,
    status: 400,
  },
  {
    name: "requirement without framework",
    method: "GET",
    path: "/api/v1/evidence?requirement=21.2.a",
    token: admin,
    status: 400,
  },
  {
    name: "too many tags",
    method: "GET",
    path: `/api/v1/machines?${Array.from({ length: 20 }, (_, i) => `tag=t${i}`).join("&")}`,
    token: admin,
    status: 400,
  },
  {
    name: "update with nothing",
    method: "PATCH",
    path: `/api/v1/machines/${machine}`,
    token: admin,
    body: {},
    status: 422,
  },
  {
    name: "negative expiry",
    method: "POST",
    path: "/api/v1/tokens",
    token: admin,
    body: { role: "admin", expiresInSeconds: -5 },
    status: 422,
  },
  {
    name: "agent token without machine",
    method: "POST",
    path: "/api/v1/tokens",
    token: admin,
    body: { role: "agent" },
    status: 400,
  },
  {
    name: "agent token for unknown machine",
    method: "POST",
    path: "/api/v1/tokens",
    token: admin,
    body: { role: "agent", machineId: "ghost" },
    status: 404,
  },
  {
    name: "report for another machine",
    method: "POST",
    path: `/api/v1/agents/${machine}/report`,
    token: agent,
    body: { machineId: "other", state: "idle", reportedAt: "2026-11-25T12:00:00Z" },
    status: 400,
  },
  {
    name: "report with bad state",
    method: "POST",
    path: `/api/v1/agents/${machine}/report`,
    token: agent,
    body: { machineId: machine, state: "pwned", reportedAt: "2026-11-25T12:00:00Z" },
    status: 422,
  },
  {
    name: "evidence key too short",
    method: "POST",
    path: `/api/v1/agents/${machine}/evidence`,
    token: agent,
    body: { ...evidenceBatch(machine, ["short"]) },
    status: 422,
  },
  {
    name: "release with a non-store path",
    method: "POST",
    path: "/api/v1/releases",
    token: admin,
    body: { hosts: { web: { toplevel: "/tmp/evil", evalEvidence: [] } } },
    status: 422,
  },
  {
    name: "release without hosts",
    method: "POST",
    path: "/api/v1/releases",
    token: admin,
    body: { hosts: {} },
    status: 422,
  },
  { name: "unknown route", method: "GET", path: "/api/v1/nothing-here", token: admin, status: 404 },
  {
    name: "deep nesting",
    method: "POST",
    path: "/api/v1/machines",
    token: admin,
    raw: `${"[".repeat(5000)}${"]".repeat(5000)}`,
    status: 422,
  },
];

describe("hostile input", () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    "%s → 4xx problem+json, nothing changed",
    async (_name, c) => {
      const before = tableCounts();
      const res = await p.call(c.method, c.path, {
        ...(c.token ? { token: c.token } : {}),
        ...(c.raw !== undefined ? { raw: c.raw } : c.body !== undefined ? { body: c.body } : {}),
        ...(c.headers ? { headers: c.headers } : {}),
      });
      const text = await res.text();
      expect(res.status, text).toBe(c.status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = JSON.parse(text) as { status: number; title: string; requestId: string; type: string };
      expect(problem).toMatchObject({
        status: c.status,
        requestId: expect.stringMatching(/^req_/),
        type: expect.stringContaining("nixfleet.dev/problems/"),
      });
      expect(tableCounts()).toEqual(before);
    },
  );

  it("never answers 5xx to random bytes on any route (fast-check)", async () => {
    const fc = await import("fast-check");
    const routes = p.runtime.operations;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })),
        fc.string({ maxLength: 60 }),
        async (op, body, param) => {
          const path = op.fullPath.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(param) || "x");
          const token = op.access === "agent" ? agent : admin;
          const res = await p.call(op.method.toUpperCase(), path, {
            token,
            ...(op.method === "get" ? {} : { raw: body }),
          });
          expect(res.status, `${op.method} ${path} ${body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});
