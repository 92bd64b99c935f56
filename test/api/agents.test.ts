import { describe, expect, it } from "vitest";
import { confirmationsSince, latestReportsOfRollout, reportsSince } from "../../api/agents/reports.js";
import { systemContext } from "../../api/services/context.js";
import { setDesiredGeneration } from "../../api/services/setDesiredGeneration.js";
import { validate } from "../../schemas/registry.js";
import { controlResult, evidenceBatch, manifest, storePath } from "./fixtures.js";
import { testPlane, uniqueId } from "./harness.js";

describe("agent endpoints", () => {
  it("serves the desired generation with a poll hint, and what the scheduler sets", async () => {
    const p = testPlane({ pollAfterMs: 1234 });
    const id = p.machine().id;
    const token = p.agentToken(id);
    const empty = await p.json("GET", `/api/v1/agents/${id}/desired`, { token });
    expect(empty.status).toBe(200);
    expect(validate("desired-generation", empty.body)).toEqual({
      machineId: id,
      storePath: null,
      rolloutId: null,
      releaseId: null,
      pollAfterMs: 1234,
    });

    const path = storePath();
    setDesiredGeneration({
      ctx: systemContext(p.db, p.clock, "scheduler"),
      input: {
        machineId: id,
        storePath: path,
        rolloutId: "rol_1",
        confirmWindowMs: 60000,
        pollAfterMs: 500,
        healthChecks: [{ name: "ssh", kind: "tcp", port: 22 }],
      },
    });
    const set = await p.json("GET", `/api/v1/agents/${id}/desired`, { token });
    expect(set.body).toMatchObject({
      machineId: id,
      storePath: path,
      rolloutId: "rol_1",
      confirmWindowMs: 60000,
      pollAfterMs: 500,
    });
    expect(
      p.db.sqlite
        .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'desired-generation.set'")
        .get(),
    ).toEqual({ n: 1 });
  });

  it("checks a pinned store path against its release, and refuses decommissioned machines", async () => {
    const p = testPlane();
    const m = p.machine(uniqueId("web"));
    const rel = await p.json<{ id: string; hosts: { toplevel: string }[] }>("POST", "/api/v1/releases", {
      token: p.tokens.operator,
      body: manifest({ [m.hostName]: {} }),
    });
    const wrong = await p.json("PUT", `/api/v1/machines/${m.id}/desired`, {
      token: p.tokens.operator,
      body: { storePath: storePath(), releaseId: rel.body.id },
    });
    expect(wrong.status).toBe(412);
    const right = await p.json("PUT", `/api/v1/machines/${m.id}/desired`, {
      token: p.tokens.operator,
      body: { storePath: rel.body.hosts[0]?.toplevel, releaseId: rel.body.id },
    });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ version: 1, releaseId: rel.body.id });
    await p.call("POST", `/api/v1/machines/${m.id}/decommission`, { token: p.tokens.operator });
    const after = await p.json("PUT", `/api/v1/machines/${m.id}/desired`, {
      token: p.tokens.operator,
      body: { storePath: null },
    });
    expect(after.status).toBe(412);
  });

  it("appends reports for the scheduler and marks the machine seen", async () => {
    const p = testPlane();
    const id = p.machine().id;
    const token = p.agentToken(id);
    const path = storePath();
    for (const state of ["fetching", "applying", "confirmed"] as const) {
      const r = await p.json("POST", `/api/v1/agents/${id}/report`, {
        token,
        body: {
          machineId: id,
          rolloutId: "rol_A",
          storePath: path,
          state,
          reportedAt: "2026-11-25T12:00:00Z",
          currentStorePath: path,
        },
      });
      expect(r.status).toBe(202);
    }
    const seen = reportsSince(p.db, 0, { rolloutId: "rol_A" });
    expect(seen.map((r) => r.state)).toEqual(["fetching", "applying", "confirmed"]);
    expect(latestReportsOfRollout(p.db, "rol_A").get(id)?.state).toBe("confirmed");
    const machine = await p.json("GET", `/api/v1/machines/${id}`, { token: p.tokens.auditor });
    expect(machine.body).toMatchObject({
      lifecycle: "active",
      lastState: "confirmed",
      currentStorePath: path,
    });
    const listed = await p.json<{ items: { state: string }[]; nextCursor?: string }>(
      "GET",
      `/api/v1/machines/${id}/reports?limit=2`,
      { token: p.tokens.auditor },
    );
    expect(listed.body.items.map((r) => r.state)).toEqual(["confirmed", "applying"]);
    expect(listed.body.nextCursor).toBeDefined();
    // the body must name the machine of the path
    const other = await p.json("POST", `/api/v1/agents/${id}/report`, {
      token,
      body: { machineId: "someone-else", state: "idle", reportedAt: "2026-11-25T12:00:00Z" },
    });
    expect(other.status).toBe(400);
  });

  it("accepts a confirmation only while the generation is desired (409 otherwise)", async () => {
    const p = testPlane();
    const id = p.machine().id;
    const token = p.agentToken(id);
    const path = storePath();
    const ctx = systemContext(p.db, p.clock, "scheduler");
    setDesiredGeneration({ ctx, input: { machineId: id, storePath: path, rolloutId: "rol_C" } });
    const ok = await p.json("POST", `/api/v1/agents/${id}/confirm`, {
      token,
      body: { machineId: id, storePath: path, rolloutId: "rol_C" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true });
    expect(confirmationsSince(p.db, 0, "rol_C")).toHaveLength(1);
    setDesiredGeneration({ ctx, input: { machineId: id, storePath: storePath(), rolloutId: "rol_C" } });
    const stale = await p.json("POST", `/api/v1/agents/${id}/confirm`, {
      token,
      body: { machineId: id, storePath: path },
    });
    expect(stale.status).toBe(409);
    expect(stale.res.headers.get("content-type")).toBe("application/problem+json");
    expect(confirmationsSince(p.db, 0)).toHaveLength(1);
  });

  it("stores evidence once per idempotency key and acknowledges duplicates", async () => {
    const p = testPlane();
    const id = p.machine().id;
    const token = p.agentToken(id);
    const first = await p.json("POST", `/api/v1/agents/${id}/evidence`, {
      token,
      body: evidenceBatch(id, ["key-0001", "key-0002", "key-0003"]),
    });
    expect(first.body).toEqual({ accepted: 3, stored: 3, duplicates: 0 });
    const resent = await p.json("POST", `/api/v1/agents/${id}/evidence`, {
      token,
      body: evidenceBatch(id, ["key-0002", "key-0003", "key-0004"]),
    });
    expect(resent.body).toEqual({ accepted: 3, stored: 1, duplicates: 2 });
    const rows = p.db.sqlite
      .prepare("SELECT idempotency_key AS k FROM evidence_items WHERE machine_id = ? ORDER BY k")
      .all(id);
    expect(rows).toEqual([{ k: "key-0001" }, { k: "key-0002" }, { k: "key-0003" }, { k: "key-0004" }]);
    // control results are stored with their control and requirements (queried by the evidence endpoint)
    const cr = await p.json("POST", `/api/v1/agents/${id}/evidence`, {
      token,
      body: {
        machineId: id,
        items: [
          {
            idempotencyKey: "cr-000001",
            kind: "control-result",
            collectedAt: "2026-11-25T11:00:00Z",
            payload: controlResult(id, "firewall-enabled", "fail"),
          },
        ],
      },
    });
    expect(cr.body).toMatchObject({ stored: 1 });
    const byReq = await p.json<{ items: { controlId: string; status: string }[] }>(
      "GET",
      `/api/v1/evidence?framework=nis2&requirement=21.2.e&machine=${id}`,
      { token: p.tokens.auditor },
    );
    expect(byReq.body.items.map((i) => [i.controlId, i.status])).toEqual([["firewall-enabled", "fail"]]);
  });

  it("rejects a batch with one bad payload and stores nothing of it", async () => {
    const p = testPlane();
    const id = p.machine().id;
    const token = p.agentToken(id);
    const batch = evidenceBatch(id, ["good-0001", "bad-00001"]);
    (batch.items[1] as { payload: Record<string, unknown> }).payload = {
      machineId: id,
      collectedAt: "yesterday",
    };
    const audit = p.auditCount();
    const res = await p.json<{ issues: { path: string }[] }>("POST", `/api/v1/agents/${id}/evidence`, {
      token,
      body: batch,
    });
    expect(res.status).toBe(422);
    expect(res.body.issues[0]?.path).toBe("/items/1/payload/collectedAt");
    expect(p.db.sqlite.prepare("SELECT count(*) AS n FROM evidence_items").get()).toEqual({ n: 0 });
    expect(p.auditCount()).toBe(audit);
  });
});
