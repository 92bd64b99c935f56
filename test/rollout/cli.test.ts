/**
 * The rollout, waiver and policy CLI against a real `nixfleet server` process (HTTP on loopback, its own
 * scheduler, a SQLite file). Machines announce they already run the release, so the server's scheduler can
 * finish a rollout with no agent process: what is tested here is the CLI and the API, not the agent.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validate } from "../../schemas/registry.js";
import { nixfleet, type SpawnedServer, spawnServer, tempDir } from "../api/cli-helpers.js";
import { controlResult, storePath } from "./harness.js";

const dir = tempDir("nixfleet-rollout-cli-");
const db = join(dir, "cp.sqlite");
let server: SpawnedServer;
let admin: string;
let secondAdmin: string;
let operator: string;
const hosts = ["web-1", "web-2", "web-3"];

async function api<T>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function offlineToken(role: string): Promise<string> {
  const created = await nixfleet(["token", "create", "--db", db, "--role", role, "--json"]);
  expect(created.code).toBe(0);
  return (JSON.parse(created.stdout) as { token: string }).token;
}

async function release(generation: string, failing: string[] = []): Promise<string> {
  const at = new Date().toISOString();
  const manifest = {
    hosts: Object.fromEntries(
      hosts.map((h) => [
        h,
        {
          toplevel: storePath(generation, h),
          evalEvidence: [
            controlResult(h, "ssh-no-root-login", failing.includes(h) ? "fail" : "pass", "eval", at),
            controlResult(h, "firewall-enabled", "pass", "eval", at),
          ],
        },
      ]),
    ),
  };
  const res = await api<{ id: string }>("POST", "/api/v1/releases", admin, manifest);
  expect([200, 201]).toContain(res.status);
  return res.body.id;
}

const as = (token: string) => ({ NIXFLEET_URL: server.url, NIXFLEET_TOKEN: token });

beforeAll(async () => {
  admin = await offlineToken("admin");
  secondAdmin = await offlineToken("admin");
  operator = await offlineToken("operator");
  server = await spawnServer(["--listen", "127.0.0.1:0", "--db", db]);
  for (const h of hosts) {
    expect((await api("POST", "/api/v1/machines", admin, { id: h, tags: ["web"] })).status).toBe(201);
    const agent = await api<{ token: string }>("POST", "/api/v1/tokens", admin, {
      role: "agent",
      machineId: h,
    });
    // each machine already runs gen1: the scheduler confirms it as soon as it is assigned
    const report = await api("POST", `/api/v1/agents/${h}/report`, agent.body.token, {
      machineId: h,
      state: "idle",
      currentStorePath: storePath("gen1", h),
      reportedAt: new Date().toISOString(),
    });
    expect(report.status).toBe(202);
  }
}, 120_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe("nixfleet policy / waiver / rollout against a running server", () => {
  it("sets and shows the policy, and checks a release against it", async () => {
    const file = join(dir, "policy.json");
    // eval-time controls only: no agent process sends runtime evidence in this test
    writeFileSync(
      file,
      JSON.stringify({ version: 1, requiredControls: ["ssh-no-root-login"], mode: "enforce" }),
    );
    expect((await nixfleet(["policy", "set", "--file", file], as(operator))).code).toBe(1); // admins only (403)
    const set = await nixfleet(["policy", "set", "--file", file, "--json"], as(admin));
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ version: 1, isDefault: false });
    const shown = await nixfleet(["policy", "show"], as(operator));
    expect(shown.stdout).toContain("required:      ssh-no-root-login");
    const bad = join(dir, "bad-policy.json");
    writeFileSync(bad, JSON.stringify({ version: 1, mode: "strict" }));
    const refused = await nixfleet(["policy", "set", "--file", bad], as(admin));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(bad);
    expect(refused.stderr).toContain("/mode");
    const good = await release("gen1");
    expect((await nixfleet(["policy", "check", "--release", good], as(operator))).code).toBe(0);
  });

  it("plans, starts and watches a canary rollout to success", async () => {
    const rel = await release("gen1");
    const badSpec = await nixfleet(
      ["rollout", "plan", "--release", rel, "--tag", "web", "--batches", "1,ten"],
      as(operator),
    );
    expect(badSpec.code).toBe(2);
    expect(badSpec.stderr).toContain("command-line options");
    expect(badSpec.stderr).toContain("/batches/1");
    expect((await nixfleet(["rollout", "plan", "--release", rel], as(operator))).code).toBe(2); // no targets: never the whole fleet by default

    const plan = await nixfleet(
      ["rollout", "plan", "--release", rel, "--tag", "web", "--strategy", "canary"],
      as(operator),
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("gate: ALLOW");
    const id = /--id (rol_[0-9A-Z]{26})/.exec(plan.stdout)?.[1];
    expect(id).toBeDefined();
    const started = await nixfleet(
      ["rollout", "start", "--release", rel, "--tag", "web", "--strategy", "canary", "--id", id!, "--json"],
      as(operator),
    );
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout).rollout.id).toBe(id);

    const watched = await nixfleet(["rollout", "watch", id!, "--json"], as(operator));
    expect(watched.code).toBe(0);
    const events = watched.stdout
      .trim()
      .split("\n")
      .map((l) => validate<{ kind: string }>("rollout-event", JSON.parse(l)));
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["rollout.started", "batch.started", "batch.passed", "rollout.succeeded"]),
    );

    const plain = await nixfleet(["rollout", "watch", id!], as(operator));
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/rollout\.succeeded .*3 of 3 host\(s\) updated/);
    expect((await nixfleet(["rollout", "status", id!], as(operator))).stdout).toContain("SUCCEEDED");
    const listed = await nixfleet(["rollout", "list", "--json"], as(operator));
    expect((JSON.parse(listed.stdout) as { items: { id: string }[] }).items.map((r) => r.id)).toContain(id);
    const again = await nixfleet(["rollout", "resume", id!], as(operator));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("409");
  }, 120_000);

  it("blocks a release with a failing required control, and a four-eyes waiver unblocks it", async () => {
    const rel = await release("gen2", ["web-2"]);
    const check = await nixfleet(["policy", "check", "--release", rel], as(operator));
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("BLOCK");
    const blocked = await nixfleet(["rollout", "start", "--release", rel, "--all"], as(operator));
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain("blocked by the governance gate");
    expect(blocked.stdout).toMatch(/blocks\s+ssh-no-root-login\s+web-2\s+failed/);

    const requested = await nixfleet(
      [
        "waiver",
        "request",
        "--control",
        "ssh-no-root-login",
        "--host",
        "web-2",
        "--rationale",
        "root login needed until Friday",
        "--expires",
        "2d",
        "--json",
      ],
      as(operator),
    );
    expect(requested.code).toBe(0);
    const waiver = JSON.parse(requested.stdout) as { id: string; state: string };
    expect(waiver.state).toBe("requested");
    expect((await nixfleet(["waiver", "approve", waiver.id], as(operator))).code).toBe(1); // admins only
    const approved = await nixfleet(["waiver", "approve", waiver.id, "--json"], as(secondAdmin));
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout).state).toBe("active");
    const active = await nixfleet(["waiver", "list", "--state", "active"], as(operator));
    expect(active.stdout).toContain(waiver.id);
    expect((await nixfleet(["policy", "check", "--release", rel], as(operator))).code).toBe(0);
    const revoked = await nixfleet(
      ["waiver", "revoke", waiver.id, "--reason", "fixed early", "--json"],
      as(admin),
    );
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout).state).toBe("revoked");
    expect((await nixfleet(["policy", "check", "--release", rel], as(operator))).code).toBe(1);
  }, 120_000);
});
