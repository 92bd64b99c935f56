/** Tag sync: agent-declared and operator-set tags, as pure changes and through the API with a real database. */
import { describe, expect, it } from "vitest";
import type { Machine } from "../../schemas/generated/machine.js";
import { testPlane } from "../../test/api/harness.js";
import { agentTagChange, operatorTagChange, type TagRow } from "./tags.js";

const rows = (operator: string[], agent: string[]): TagRow[] => [
  ...operator.map((tag) => ({ tag, origin: "operator" as const })),
  ...agent.map((tag) => ({ tag, origin: "agent" as const })),
];

describe("agentTagChange", () => {
  it("makes the agent tags exactly the reported set and never touches operator tags", () => {
    expect(agentTagChange(rows(["owner:ops"], ["role:web", "env:prod"]), ["role:db", "env:prod"])).toEqual({
      add: ["role:db"],
      remove: ["role:web"],
      ignored: [],
    });
    // an operator tag the agent also reports stays the operator's, and is not removed when the agent drops it
    expect(agentTagChange(rows(["role:web"], []), ["role:web"])).toEqual({
      add: [],
      remove: [],
      ignored: [],
    });
    expect(agentTagChange(rows(["role:web"], []), [])).toEqual({ add: [], remove: [], ignored: [] });
    // an empty report clears the agent's tags
    expect(agentTagChange(rows([], ["a", "b"]), [])).toEqual({ add: [], remove: ["a", "b"], ignored: [] });
  });

  it("ignores reported tags that are not inventory tags, and duplicates", () => {
    expect(agentTagChange([], ["ok", "not a tag", "ok", "-dash"])).toEqual({
      add: ["ok"],
      remove: [],
      ignored: ["-dash", "not a tag"],
    });
  });
});

describe("operatorTagChange", () => {
  it("edits operator tags only; replacing leaves the agent's tags", () => {
    const current = rows(["owner:ops", "tier:1"], ["role:web"]);
    expect(operatorTagChange(current, { tags: ["owner:sre"] })).toEqual({
      add: ["owner:sre"],
      remove: ["owner:ops", "tier:1"],
    });
    expect(operatorTagChange(current, { addTags: ["role:web", "x"], removeTags: ["tier:1"] })).toEqual({
      add: ["x"],
      remove: ["tier:1"],
    });
  });

  it("refuses to remove a tag the agent declares (409), naming it", () => {
    expect(() => operatorTagChange(rows([], ["role:web"]), { removeTags: ["role:web"] })).toThrowError(
      /role:web is declared by the machine's agent configuration/,
    );
  });

  it("limits operator-set tags to 64", () => {
    const many = Array.from({ length: 65 }, (_, i) => `t${i}`);
    expect(() => operatorTagChange([], { tags: many })).toThrowError(/at most 64 operator-set tags/);
    // agent tags do not count against the operator's 64
    expect(operatorTagChange(rows([], ["a1", "a2"]), { tags: many.slice(0, 64) }).add).toHaveLength(64);
  });
});

describe("tag sync through the API", () => {
  it("an agent report syncs its tags, audited once per change; operators keep theirs", async () => {
    const p = testPlane();
    const id = p.machine().id;
    const token = p.agentToken(id);
    await p.call("PATCH", `/api/v1/machines/${id}`, {
      token: p.tokens.operator,
      body: { addTags: ["owner:ops"] },
    });
    const report = (tags?: string[]) =>
      p.call("POST", `/api/v1/agents/${id}/report`, {
        token,
        body: {
          machineId: id,
          state: "idle",
          reportedAt: new Date().toISOString(),
          ...(tags ? { tags } : {}),
        },
      });
    const show = async () =>
      (await p.json<Machine>("GET", `/api/v1/machines/${id}`, { token: p.tokens.operator })).body;
    const tagAudits = () =>
      (
        p.db.sqlite
          .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'machine.update' AND target_id = ?")
          .get(id) as { n: number }
      ).n;

    await report(["role:web", "env:prod"]);
    expect(await show()).toMatchObject({
      tags: ["env:prod", "owner:ops", "role:web"],
      agentTags: ["env:prod", "role:web"],
    });
    const audits = tagAudits();
    await report(["role:web", "env:prod"]); // a heartbeat with the same tags changes nothing
    expect(tagAudits()).toBe(audits);
    await report(); // an agent that does not report tags (older versions) leaves them as they are
    expect((await show()).agentTags).toEqual(["env:prod", "role:web"]);

    await report(["role:db", "env:prod"]);
    expect(await show()).toMatchObject({
      tags: ["env:prod", "owner:ops", "role:db"],
      agentTags: ["env:prod", "role:db"],
    });
    expect(tagAudits()).toBe(audits + 1);
    const filtered = await p.json<{ items: Machine[] }>("GET", "/api/v1/machines?tag=role:web", {
      token: p.tokens.operator,
    });
    expect(filtered.body.items).toEqual([]);

    const refused = await p.json<{ agentTags: string[] }>("PATCH", `/api/v1/machines/${id}`, {
      token: p.tokens.operator,
      body: { removeTags: ["role:db"] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.agentTags).toEqual(["role:db"]);

    await report([]);
    const cleared = await show();
    expect(cleared.tags).toEqual(["owner:ops"]);
    expect(cleared.agentTags).toBeUndefined();
  });
});
