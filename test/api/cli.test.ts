/** The people's CLI against a spawned server: tables, --json, readable problem+json errors and exit codes. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nixfleet, type SpawnedServer, spawnServer, tempDir } from "./cli-helpers.js";
import { manifest } from "./fixtures.js";

const dir = tempDir("nixfleet-cli-");
const db = join(dir, "state.db");
let server: SpawnedServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const created = await nixfleet(["token", "create", "--db", db, "--role", "admin", "--json"]);
  expect(created.code).toBe(0);
  const { token } = JSON.parse(created.stdout) as { token: string };
  server = await spawnServer(["--listen", "127.0.0.1:0", "--db", db]);
  env = { NIXFLEET_URL: server.url, NIXFLEET_TOKEN: token };
}, 180_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

// Each CLI call is a fresh node process; on a loaded 2-core machine that is seconds each.
describe("nixfleet CLI for people", { timeout: 180_000 }, () => {
  it("registers, lists (table and --json), updates and decommissions machines", async () => {
    expect(
      (await nixfleet(["machines", "register", "web-01", "--tag", "eu", "--tag", "web"], env)).code,
    ).toBe(0);
    expect((await nixfleet(["machines", "register", "db-01", "--tag", "eu"], env)).code).toBe(0);
    const listed = await nixfleet(["machines", "list", "--tag", "web"], env);
    expect(listed.stdout).toMatch(/^ID\s+HOSTNAME\s+LIFECYCLE/);
    expect(listed.stdout).toContain("web-01");
    expect(listed.stdout).not.toContain("db-01");
    const json = JSON.parse((await nixfleet(["machines", "list", "--tag", "eu", "--json"], env)).stdout) as {
      items: { id: string }[];
    };
    expect(json.items.map((m) => m.id)).toEqual(["db-01", "web-01"]);
    const updated = JSON.parse(
      (await nixfleet(["machines", "update", "web-01", "--lifecycle", "maintenance", "--json"], env)).stdout,
    );
    expect(updated.lifecycle).toBe("maintenance");
    expect((await nixfleet(["machines", "decommission", "db-01"], env)).stdout).toContain("decommissioned");
  });

  it("turns problem+json into readable errors with exit codes (404 → 1, bad input → 2, no server → 1)", async () => {
    const missing = await nixfleet(["machines", "show", "ghost"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404 Not found");
    expect(missing.stderr).toContain("machine ghost is not registered");
    expect(missing.stderr).toMatch(/request id req_/);
    const bad = await nixfleet(["machines", "register", "bad id!"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("at /id:");
    const noAuth = await nixfleet(["machines", "list"], { ...env, NIXFLEET_TOKEN: "" });
    expect(noAuth.code).toBe(1);
    expect(noAuth.stderr).toContain("401");
    const away = await nixfleet(["machines", "list", "--server", "http://127.0.0.1:9"], env);
    expect(away.code).toBe(1);
    expect(away.stderr).toContain("cannot reach the control plane");
  });

  it("creates, shows, diffs and deletes releases from manifest files", async () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, JSON.stringify(manifest({ "web-01": { statuses: { "firewall-enabled": "fail" } } })));
    writeFileSync(b, JSON.stringify(manifest({ "web-01": { statuses: { "firewall-enabled": "pass" } } })));
    const ra = JSON.parse((await nixfleet(["release", "create", "--manifest", a, "--json"], env)).stdout) as {
      id: string;
    };
    const rb = JSON.parse((await nixfleet(["release", "create", "--manifest", b, "--json"], env)).stdout) as {
      id: string;
    };
    const diff = await nixfleet(["release", "diff", ra.id, rb.id], env);
    expect(diff.stdout).toContain("firewall-enabled: fail -> pass");
    expect((await nixfleet(["release", "list"], env)).stdout).toContain(ra.id);
    expect((await nixfleet(["release", "delete", rb.id], env)).code).toBe(0);
    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ hosts: { "web-01": { toplevel: "/tmp/x", evalEvidence: [] } } }),
    );
    const invalid = await nixfleet(["release", "create", "--manifest", join(dir, "bad.json")], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("bad.json");
    expect(invalid.stderr).toContain("/hosts/web-01/toplevel");
  });

  it("lists and exports the audit trail and manages tokens remotely", async () => {
    const list = await nixfleet(["audit", "list", "--action", "machine.*", "--all"], env);
    expect(list.stdout).toContain("machine.register");
    const out = join(dir, "audit.csv");
    expect((await nixfleet(["audit", "export", "--format", "csv", "--out", out], env)).code).toBe(0);
    const token = JSON.parse(
      (await nixfleet(["token", "create", "--role", "auditor", "--json"], env)).stdout,
    ) as { id: string; token: string };
    const auditorEnv = { ...env, NIXFLEET_TOKEN: token.token };
    expect((await nixfleet(["machines", "list"], auditorEnv)).code).toBe(0);
    const forbidden = await nixfleet(["machines", "register", "x-1"], auditorEnv);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain("403");
    expect((await nixfleet(["token", "revoke", token.id], env)).code).toBe(0);
    expect((await nixfleet(["machines", "list"], auditorEnv)).code).toBe(1);
    expect((await nixfleet(["token", "list", "--json"], env)).stdout).not.toContain(token.token);
  });

  it("migrates a database explicitly", async () => {
    const fresh = join(dir, "fresh.db");
    const first = JSON.parse((await nixfleet(["db", "migrate", "--db", fresh, "--json"])).stdout) as {
      applied: number;
    };
    expect(first.applied).toBeGreaterThanOrEqual(1);
    const again = JSON.parse((await nixfleet(["db", "migrate", "--db", fresh, "--json"])).stdout) as {
      applied: number;
    };
    expect(again.applied).toBe(0);
  });
});
