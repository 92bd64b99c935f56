import { copyFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { csvCell } from "../../api/audit/queries.js";
import { openMigrated } from "../../api/db/client.js";
import { verifyAuditChain } from "../../api/services/audit-chain.js";
import { systemContext } from "../../api/services/context.js";
import { registerMachine } from "../../api/services/registerMachine.js";
import { nixfleet, tempDir } from "./cli-helpers.js";
import { testPlane } from "./harness.js";

describe("audit trail", () => {
  it("lists with filters and pages, exports CSV safe against formula injection and JSON lines", async () => {
    const p = testPlane();
    for (const id of ["m-1", "m-2", "m-3", "m-4"]) p.machine(id);
    // an actor name that a spreadsheet would run as a formula
    registerMachine({
      ctx: systemContext(p.db, p.clock, '=HYPERLINK("http://evil")'),
      input: { id: "m-plain" },
    });
    await p.call("PATCH", "/api/v1/machines/m-1", { token: p.tokens.operator, body: { addTags: ["a=b"] } });
    const page1 = await p.json<{ items: { seq: number; action: string }[]; nextCursor: string }>(
      "GET",
      "/api/v1/audit?action=machine.*&limit=4",
      {
        token: p.tokens.auditor,
      },
    );
    expect(page1.body.items.map((e) => e.action)).toEqual([
      "machine.update",
      "machine.register",
      "machine.register",
      "machine.register",
    ]);
    const page2 = await p.json<{ items: { seq: number }[]; nextCursor?: string }>(
      "GET",
      `/api/v1/audit?action=machine.*&limit=4&cursor=${page1.body.nextCursor}`,
      { token: p.tokens.auditor },
    );
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.nextCursor).toBeUndefined();
    const byTarget = await p.json<{ items: unknown[] }>(
      "GET",
      "/api/v1/audit?targetType=machine&targetId=m-plain",
      { token: p.tokens.auditor },
    );
    expect(byTarget.body.items).toHaveLength(1);

    const csv = await p.call("GET", "/api/v1/audit/export?format=csv&action=machine.update", {
      token: p.tokens.auditor,
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "seq,id,at,actor_kind,actor_id,actor_role,action,target_type,target_id,before,after,request_id,prev_hash,hash",
    );
    expect(lines).toHaveLength(2);
    const formula = await p.call("GET", "/api/v1/audit/export?format=csv&targetId=m-plain", {
      token: p.tokens.auditor,
    });
    const row = (await formula.text()).trim().split("\r\n")[1] ?? "";
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).not.toMatch(/(^|,)"=/);
    const jsonl = await p.call("GET", "/api/v1/audit/export?format=jsonl", { token: p.tokens.auditor });
    const events = (await jsonl.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it("neutralises spreadsheet formulas in CSV cells", () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell("+1")).toBe('"\'+1"');
    expect(csvCell("-1")).toBe('"\'-1"');
    expect(csvCell("@SUM(A1)")).toBe('"\'@SUM(A1)"');
    expect(csvCell("\tx")).toBe('"\'\tx"');
    expect(csvCell("\rx")).toBe('"\'\rx"');
    expect(csvCell("safe")).toBe('"safe"');
    expect(csvCell(null)).toBe('""');
  });

  it("strips secrets from before/after and writes the audit row in the mutation's transaction", async () => {
    const p = testPlane();
    const created = await p.json<{ id: string; token: string }>("POST", "/api/v1/tokens", {
      token: p.tokens.admin,
      body: { role: "auditor" },
    });
    const raw = JSON.stringify(p.db.sqlite.prepare("SELECT * FROM audit_events").all());
    expect(raw).not.toContain(created.body.token);
    // fail-closed: if the audit insert fails, the change is rolled back
    p.db.sqlite.exec(
      "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END",
    );
    const res = await p.call("POST", "/api/v1/machines", { token: p.tokens.admin, body: { id: "not-kept" } });
    expect(res.status).toBe(500);
    expect(p.db.sqlite.prepare("SELECT count(*) AS n FROM machines WHERE id = 'not-kept'").get()).toEqual({
      n: 0,
    });
  });

  describe("tamper detection on a real database file (nixfleet audit verify)", { timeout: 120_000 }, () => {
    const dir = tempDir();
    const pristine = join(dir, "pristine.db");
    beforeAll(() => {
      const db = openMigrated(pristine);
      const ctx = systemContext(db, { now: () => Date.parse("2026-11-25T12:00:00Z") }, "tamper test");
      for (let i = 1; i <= 6; i++) registerMachine({ ctx, input: { id: `host-${i}` } });
      db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      db.sqlite.close();
    });
    const copy = (name: string) => {
      const path = join(dir, `${name}.db`);
      copyFileSync(pristine, path);
      return path;
    };
    const tamper = (path: string, sql: string) => {
      const db = new Database(path);
      db.exec(sql);
      db.close();
    };

    it("passes an untouched chain (exit 0)", async () => {
      const r = await nixfleet(["audit", "verify", "--db", copy("ok"), "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, events: 6 });
    });

    it("names an edited event (exit 1)", async () => {
      const path = copy("edited");
      tamper(path, `UPDATE audit_events SET after = replace(after, 'host-3', 'host-X') WHERE seq = 3`);
      const r = await nixfleet(["audit", "verify", "--db", path]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/BROKEN at event #3 \(aud_[0-9A-Z]{26}\): hash-mismatch/);
    });

    it("names the event after a deletion (exit 1)", async () => {
      const path = copy("deleted");
      tamper(path, "DELETE FROM audit_events WHERE seq = 4");
      const r = await nixfleet(["audit", "verify", "--db", path, "--json"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).firstBad).toMatchObject({ seq: 5, problem: "sequence-gap" });
    });

    it("names a reordering, even when the sequence numbers are swapped too (exit 1)", async () => {
      const path = copy("reordered");
      tamper(
        path,
        `UPDATE audit_events SET seq = -2 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 5;
         UPDATE audit_events SET seq = 5 WHERE seq = -2;`,
      );
      const r = await nixfleet(["audit", "verify", "--db", path, "--json"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).firstBad).toMatchObject({ seq: 2, problem: "broken-link" });
    });

    it("catches a deleted tail against an exported head hash", async () => {
      const head = verifyAuditChain(openMigrated(copy("head"))).headHash;
      const path = copy("tail");
      tamper(path, "DELETE FROM audit_events WHERE seq = 6");
      expect((await nixfleet(["audit", "verify", "--db", path])).code).toBe(0);
      const r = await nixfleet(["audit", "verify", "--db", path, "--expect-head", head]);
      expect(r.code).toBe(1);
    });

    it("exits 2 on a file that is not a control-plane database", async () => {
      const r = await nixfleet(["audit", "verify", "--db", join(dir, "empty.db")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("not a control-plane database");
    });
  });
});
