import { describe, expect, it } from "vitest";
import { hashTokenSecret } from "../../api/http/credentials.js";
import { testPlane } from "./harness.js";

describe("tokens", () => {
  it("creates tokens whose secret is shown once and stored only as a SHA-256 hash", async () => {
    const p = testPlane();
    const created = await p.json<{ id: string; token: string; role: string }>("POST", "/api/v1/tokens", {
      token: p.tokens.admin,
      body: { role: "operator", name: "ci", expiresInSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^nft_[A-Za-z0-9_-]{43}$/);
    const row = p.db.sqlite.prepare("SELECT * FROM api_tokens WHERE id = ?").get(created.body.id) as Record<
      string,
      unknown
    >;
    expect(row.secret_hash).toBe(hashTokenSecret(created.body.token));
    expect(JSON.stringify(row)).not.toContain(created.body.token);
    const list = await p.json<{ items: Record<string, unknown>[] }>("GET", "/api/v1/tokens", {
      token: p.tokens.admin,
    });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(JSON.stringify(list.body)).not.toContain("secret");
    expect(list.body.items.find((t) => t.id === created.body.id)).toMatchObject({
      name: "ci",
      role: "operator",
      revokedAt: null,
    });
    // it works until it expires
    expect((await p.call("GET", "/api/v1/machines", { token: created.body.token })).status).toBe(200);
    p.clock.advance(3601_000);
    const expired = await p.json<{ detail: string }>("GET", "/api/v1/machines", {
      token: created.body.token,
    });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain("expired");
    expect(expired.res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("binds agent tokens to one registered machine and revokes idempotently", async () => {
    const p = testPlane();
    const m = p.machine();
    const agent = await p.json<{ id: string; token: string; machineId: string }>("POST", "/api/v1/tokens", {
      token: p.tokens.admin,
      body: { role: "agent", machineId: m.id },
    });
    expect(agent.body.machineId).toBe(m.id);
    expect((await p.call("GET", `/api/v1/agents/${m.id}/desired`, { token: agent.body.token })).status).toBe(
      200,
    );
    const operatorBound = await p.json("POST", "/api/v1/tokens", {
      token: p.tokens.admin,
      body: { role: "operator", machineId: m.id },
    });
    expect(operatorBound.status).toBe(400);
    const first = await p.json<{ revokedAt: string }>("DELETE", `/api/v1/tokens/${agent.body.id}`, {
      token: p.tokens.admin,
    });
    const audit = p.auditCount();
    p.clock.advance(5000);
    const second = await p.json<{ revokedAt: string }>("DELETE", `/api/v1/tokens/${agent.body.id}`, {
      token: p.tokens.admin,
    });
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    expect(p.auditCount()).toBe(audit);
    expect((await p.call("GET", `/api/v1/agents/${m.id}/desired`, { token: agent.body.token })).status).toBe(
      401,
    );
    expect((await p.call("DELETE", "/api/v1/tokens/tok_nope", { token: p.tokens.admin })).status).toBe(404);
  });
});
