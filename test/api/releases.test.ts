import { describe, expect, it } from "vitest";
import { releaseIdOf } from "../../api/services/createRelease.js";
import { canonicalHash } from "../../evidence/canonical.js";
import { manifest, storePath } from "./fixtures.js";
import { testPlane } from "./harness.js";

describe("releases", () => {
  it("creates an immutable, content-addressed release; the same manifest again changes nothing", async () => {
    const p = testPlane();
    const doc = manifest({
      web: { statuses: { "firewall-enabled": "pass", "ssh-no-root-login": "fail" } },
      db: {},
    });
    const created = await p.json<{ id: string; sha256: string; hosts: { host: string; failing: number }[] }>(
      "POST",
      "/api/v1/releases",
      {
        token: p.tokens.operator,
        body: doc,
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.sha256).toBe(canonicalHash(doc));
    expect(created.body.id).toBe(releaseIdOf(canonicalHash(doc)));
    expect(created.body.id).toMatch(/^rel_[0-9A-Z]{26}$/);
    expect(created.body.hosts).toEqual([
      { host: "db", toplevel: doc.hosts.db?.toplevel, failing: 0 },
      { host: "web", toplevel: doc.hosts.web?.toplevel, failing: 1 },
    ]);
    const audit = p.auditCount();
    // key order does not matter: canonical JSON
    const reordered = JSON.parse(JSON.stringify({ hosts: { db: doc.hosts.db, web: doc.hosts.web } }));
    const again = await p.json<{ id: string }>("POST", "/api/v1/releases", {
      token: p.tokens.operator,
      body: reordered,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(p.auditCount()).toBe(audit);
    const shown = await p.json<{ manifest: unknown }>("GET", `/api/v1/releases/${created.body.id}`, {
      token: p.tokens.auditor,
    });
    expect(shown.body.manifest).toEqual(doc);
  });

  it("refuses evidence filed under the wrong host", async () => {
    const p = testPlane();
    const doc = manifest({ web: { statuses: { "firewall-enabled": "pass" } } });
    const first = doc.hosts.web?.evalEvidence[0];
    if (first) first.host = "db";
    const res = await p.json<{ issues: { path: string }[] }>("POST", "/api/v1/releases", {
      token: p.tokens.operator,
      body: doc,
    });
    expect(res.status).toBe(422);
    expect(res.body.issues[0]?.path).toBe("/hosts/web/evalEvidence/0/host");
  });

  it("lists newest first, diffs two releases, and deletes only unused ones", async () => {
    const p = testPlane();
    const webPath = storePath("web");
    const a = await p.json<{ id: string }>("POST", "/api/v1/releases", {
      token: p.tokens.admin,
      body: manifest({ web: { toplevel: webPath, statuses: { "firewall-enabled": "fail" } }, old: {} }),
    });
    p.clock.advance(1000);
    const b = await p.json<{ id: string }>("POST", "/api/v1/releases", {
      token: p.tokens.admin,
      body: manifest({
        web: { toplevel: storePath("web2"), statuses: { "firewall-enabled": "pass" } },
        new: {},
      }),
    });
    const list = await p.json<{ items: { id: string }[] }>("GET", "/api/v1/releases", {
      token: p.tokens.auditor,
    });
    expect(list.body.items.map((r) => r.id).sort()).toEqual([a.body.id, b.body.id].sort());
    const diff = await p.json<{
      added: { host: string }[];
      removed: { host: string }[];
      changed: { host: string; controls: unknown[] }[];
    }>("GET", `/api/v1/releases/${a.body.id}/diff/${b.body.id}`, { token: p.tokens.auditor });
    expect(diff.body.added.map((h) => h.host)).toEqual(["new"]);
    expect(diff.body.removed.map((h) => h.host)).toEqual(["old"]);
    expect(diff.body.changed).toEqual([
      expect.objectContaining({
        host: "web",
        fromToplevel: webPath,
        controls: [{ controlId: "firewall-enabled", from: "fail", to: "pass" }],
      }),
    ]);

    const m = p.machine("web");
    const pinned = await p.json("PUT", `/api/v1/machines/${m.id}/desired`, {
      token: p.tokens.operator,
      body: { storePath: webPath, releaseId: a.body.id },
    });
    expect(pinned.status).toBe(200);
    const inUse = await p.json<{ usedBy: { kind: string; ids: string[] }[] }>(
      "DELETE",
      `/api/v1/releases/${a.body.id}`,
      { token: p.tokens.operator },
    );
    expect(inUse.status).toBe(409);
    expect(inUse.body.usedBy[0]).toEqual({ kind: "desired generation of machine", ids: ["web"] });
    const deleted = await p.json("DELETE", `/api/v1/releases/${b.body.id}`, { token: p.tokens.operator });
    expect(deleted.status).toBe(200);
    expect((await p.call("GET", `/api/v1/releases/${b.body.id}`, { token: p.tokens.admin })).status).toBe(
      404,
    );
    const audit = await p.json<{ items: { action: string }[] }>("GET", "/api/v1/audit?action=release.*", {
      token: p.tokens.auditor,
    });
    expect(audit.body.items.map((e) => e.action)).toEqual([
      "release.delete",
      "release.create",
      "release.create",
    ]);
  });
});
