import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../api/services/audit-chain.js";
import { testPlane, uniqueId } from "./harness.js";

describe("machines", () => {
  it("registers, shows, filters by tags with cursor pages, updates and decommissions, auditing each change", async () => {
    const p = testPlane();
    const id = uniqueId("web");
    const created = await p.json("POST", "/api/v1/machines", {
      token: p.tokens.operator,
      body: { id, tags: ["role=web", "eu"] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id,
      hostName: id,
      lifecycle: "registered",
      tags: ["eu", "role=web"],
    });
    for (let i = 0; i < 5; i++) p.machine(`${id}-x${i}`, i % 2 ? ["eu"] : ["us"]);

    const shown = await p.json("GET", `/api/v1/machines/${id}`, { token: p.tokens.auditor });
    expect(shown.body).toEqual(created.body);

    const eu: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await p.json<{ items: { id: string }[]; nextCursor?: string }>(
        "GET",
        `/api/v1/machines?tag=eu&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { token: p.tokens.auditor },
      );
      expect(page.status).toBe(200);
      eu.push(...page.body.items.map((m) => m.id));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(eu).toEqual([id, `${id}-x1`, `${id}-x3`]);
    const both = await p.json<{ items: { id: string }[] }>("GET", "/api/v1/machines?tag=eu&tag=role%3Dweb", {
      token: p.tokens.admin,
    });
    expect(both.body.items.map((m) => m.id)).toEqual([id]);

    const updated = await p.json("PATCH", `/api/v1/machines/${id}`, {
      token: p.tokens.operator,
      body: { lifecycle: "maintenance", addTags: ["canary"], removeTags: ["eu"] },
    });
    expect(updated.body).toMatchObject({ lifecycle: "maintenance", tags: ["canary", "role=web"] });

    const before = p.auditCount();
    const gone = await p.json("POST", `/api/v1/machines/${id}/decommission`, { token: p.tokens.operator });
    expect(gone.body).toMatchObject({ lifecycle: "decommissioned" });
    expect(p.auditCount()).toBe(before + 1);
    const again = await p.json("PATCH", `/api/v1/machines/${id}`, {
      token: p.tokens.operator,
      body: { lifecycle: "active" },
    });
    expect(again.status).toBe(412);
    expect(again.res.headers.get("content-type")).toBe("application/problem+json");

    const audit = await p.json<{ items: { action: string; target: { id: string } }[] }>(
      "GET",
      `/api/v1/audit?targetId=${id}`,
      { token: p.tokens.auditor },
    );
    expect(audit.body.items.map((e) => e.action)).toEqual([
      "machine.decommission",
      "machine.update",
      "machine.register",
    ]);
    expect(verifyAuditChain(p.db).ok).toBe(true);
  });

  it("answers errors as problem+json with a request id", async () => {
    const p = testPlane();
    const missing = await p.json<{ status: number; requestId: string; type: string }>(
      "GET",
      "/api/v1/machines/nope",
      {
        token: p.tokens.admin,
      },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.requestId).toMatch(/^req_/);
    expect(missing.res.headers.get("x-request-id")).toBe(missing.body.requestId);
    const id = uniqueId();
    p.machine(id);
    const dup = await p.json("POST", "/api/v1/machines", { token: p.tokens.admin, body: { id } });
    expect(dup.status).toBe(409);
  });
});
