/**
 * The shared security suite: it walks the WHOLE route table of the app (every resource in api/resources.ts,
 * including ones added later) and, for every operation, checks who is refused:
 * no credentials, a malformed or unknown token, a revoked token, an expired token, the wrong role (auditor or
 * operator where more is needed), an agent on a person's route, a person on an agent route, and the agent of
 * machine A on machine B. Every refusal must be problem+json 401/403 and leave the audit trail (hence the
 * database: every mutation writes one) unchanged. It also checks the allowed actor is NOT refused, so the table
 * cannot silently pass by refusing everything.
 *
 * SAMPLES (test/api/security-samples.ts): optional per-operation path parameters or body, for operations whose
 * handler needs them in the "allowed" case. Add an entry there when you add an operation that needs one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Operation } from "../../api/http/resource.js";
import { systemContext } from "../../api/services/context.js";
import { createToken } from "../../api/services/createToken.js";
import { revokeToken } from "../../api/services/revokeToken.js";
import { type TestPlane, testPlane, uniqueId } from "./harness.js";
import { SAMPLES } from "./security-samples.js";

const plane: TestPlane = testPlane();
const operations: Operation[] = plane.runtime.operations;
const machineA = uniqueId("sec-a");
const machineB = uniqueId("sec-b");
let agentA = "";
let revokedAdmin = "";
let expiredAdmin = "";

beforeAll(() => {
  plane.machine(machineA);
  plane.machine(machineB);
  agentA = plane.agentToken(machineA);
  const ctx = systemContext(plane.db, plane.clock, "security suite");
  const revoked = createToken({ ctx, input: { role: "admin" } });
  revokeToken({ ctx, input: { id: revoked.id } });
  revokedAdmin = revoked.token;
  const expiring = createToken({ ctx, input: { role: "admin", expiresInSeconds: 60 } });
  expiredAdmin = expiring.token;
  plane.clock.advance(61_000);
  plane.runtime.credentials.forgetTokens();
});

function pathOf(op: Operation, machine: string): string {
  const sample = SAMPLES[op.id]?.params?.(plane) ?? {};
  return op.fullPath.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (sample[name]) return sample[name];
    if (name === "machineId") return machine;
    return name === "id" && op.fullPath.startsWith("/api/v1/machines") ? machine : `sample-${name}`;
  });
}

async function attempt(op: Operation, token: string | undefined, machine = machineA) {
  const path = pathOf(op, machine);
  const before = plane.auditCount();
  const sample = SAMPLES[op.id];
  const res = await plane.call(op.method.toUpperCase(), path, {
    ...(token !== undefined ? { token } : {}),
    ...(op.body ? { body: sample?.body ?? {} } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    text,
    changed: plane.auditCount() !== before,
  };
}

async function expectRefused(
  op: Operation,
  token: string | undefined,
  status: 401 | 403,
  machine = machineA,
) {
  const r = await attempt(op, token, machine);
  expect(r.status, `${op.method.toUpperCase()} ${op.fullPath}: ${r.text}`).toBe(status);
  expect(r.type).toBe("application/problem+json");
  expect(JSON.parse(r.text)).toMatchObject({ status, requestId: expect.any(String) });
  expect(r.changed, "a refused request must change nothing").toBe(false);
}

const guarded = operations.filter((op) => op.access !== "public");
const agentOps = guarded.filter((op) => op.access === "agent");

describe("security suite over the route table", () => {
  it("covers every operation of the app", () => {
    expect(operations.length).toBeGreaterThanOrEqual(23);
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    expect(agentOps.map((o) => o.id).sort()).toEqual([
      "agents.confirm",
      "agents.desired",
      "agents.evidence",
      "agents.report",
    ]);
  });

  describe.each(guarded.map((op) => [`${op.method.toUpperCase()} ${op.fullPath}`, op] as const))(
    "%s",
    (_name, op) => {
      it("refuses no credentials, garbage, unknown, revoked and expired tokens with 401", async () => {
        await expectRefused(op, undefined, 401);
        await expectRefused(op, "not a token at all", 401);
        await expectRefused(op, "nft_thisTokenWasNeverIssuedByThisServer000000", 401);
        await expectRefused(op, revokedAdmin, 401);
        await expectRefused(op, expiredAdmin, 401);
        const res = await plane.call(op.method.toUpperCase(), pathOf(op, machineA), {
          headers: { authorization: "Basic YWRtaW46YWRtaW4=" },
        });
        expect(res.status).toBe(401);
      });

      if (op.access === "agent") {
        it("refuses people's tokens (even admin) with 403", async () => {
          await expectRefused(op, plane.tokens.admin, 403);
          await expectRefused(op, plane.tokens.auditor, 403);
        });
        it("refuses the agent of machine A on machine B with 403", async () => {
          await expectRefused(op, agentA, 403, machineB);
        });
        it("lets the agent of machine A act on machine A", async () => {
          const r = await attempt(op, agentA, machineA);
          expect([401, 403], r.text).not.toContain(r.status);
        });
      } else {
        it("refuses an agent's token with 403", async () => {
          await expectRefused(op, agentA, 403);
        });
        if (op.access === "operate" || op.access === "admin") {
          it("refuses the auditor (reads only) with 403", async () => {
            await expectRefused(op, plane.tokens.auditor, 403);
          });
        }
        if (op.access === "admin") {
          it("refuses the operator with 403", async () => {
            await expectRefused(op, plane.tokens.operator, 403);
          });
        }
        it("lets an admin through the auth check", async () => {
          const r = await attempt(op, plane.tokens.admin);
          expect([401, 403], r.text).not.toContain(r.status);
        });
        if (op.access === "read") {
          it("lets the auditor read", async () => {
            const r = await attempt(op, plane.tokens.auditor);
            expect([401, 403], r.text).not.toContain(r.status);
          });
        }
      }
    },
  );

  it("serves public endpoints without credentials", async () => {
    for (const op of operations.filter((o) => o.access === "public")) {
      const res = await plane.call("GET", op.fullPath);
      expect(res.status, op.fullPath).toBe(200);
    }
  });

  it("takes effect at once when a token is revoked through the API", async () => {
    const created = await plane.json<{ id: string; token: string }>("POST", "/api/v1/tokens", {
      token: plane.tokens.admin,
      body: { role: "operator" },
    });
    expect((await plane.call("GET", "/api/v1/machines", { token: created.body.token })).status).toBe(200);
    expect(
      (await plane.call("DELETE", `/api/v1/tokens/${created.body.id}`, { token: plane.tokens.admin })).status,
    ).toBe(200);
    expect((await plane.call("GET", "/api/v1/machines", { token: created.body.token })).status).toBe(401);
  });

  it("stops a decommissioned machine's agent token at once", async () => {
    const id = uniqueId("sec-d");
    plane.machine(id);
    const token = plane.agentToken(id);
    expect((await plane.call("GET", `/api/v1/agents/${id}/desired`, { token })).status).toBe(200);
    await plane.call("POST", `/api/v1/machines/${id}/decommission`, { token: plane.tokens.operator });
    expect((await plane.call("GET", `/api/v1/agents/${id}/desired`, { token })).status).toBe(401);
  });
});
