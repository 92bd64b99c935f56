import { describe, expect, it } from "vitest";
import { catalog } from "../../controls/index.js";
import { controlResult, manifest, runtimeReport } from "./fixtures.js";
import { testPlane } from "./harness.js";

const HOUR = 3_600_000;

describe("evidence and compliance", () => {
  it("queries evidence by machine, control, requirement, status and time", async () => {
    const p = testPlane();
    const a = p.machine("alpha").id;
    const b = p.machine("beta").id;
    const send = (m: string, key: string, controlId: string, status: "pass" | "fail", at: string) =>
      p.call("POST", `/api/v1/agents/${m}/evidence`, {
        token: p.agentToken(m),
        body: {
          machineId: m,
          items: [
            {
              idempotencyKey: key,
              kind: "control-result",
              collectedAt: at,
              payload: controlResult(m, controlId, status, at),
            },
          ],
        },
      });
    await send(a, "a-key-001", "firewall-enabled", "pass", "2026-11-25T08:00:00Z");
    await send(a, "a-key-002", "auditd-enabled", "fail", "2026-11-25T10:00:00Z");
    await send(b, "b-key-001", "firewall-enabled", "fail", "2026-11-25T11:00:00Z");
    const q = async (query: string) =>
      (
        await p.json<{ items: { machineId: string; controlId: string }[] }>(
          "GET",
          `/api/v1/evidence?${query}`,
          { token: p.tokens.auditor },
        )
      ).body.items.map((i) => `${i.machineId}/${i.controlId}`);
    expect(await q("machine=alpha")).toEqual(["alpha/auditd-enabled", "alpha/firewall-enabled"]);
    expect(await q("control=firewall-enabled")).toEqual(["beta/firewall-enabled", "alpha/firewall-enabled"]);
    expect(await q("status=fail")).toEqual(["beta/firewall-enabled", "alpha/auditd-enabled"]);
    expect(await q("framework=iso27001&requirement=A.8.9&since=2026-11-25T09:00:00Z")).toEqual([
      "beta/firewall-enabled",
      "alpha/auditd-enabled",
    ]);
    expect(await q("framework=dora")).toEqual([]);
    expect(await q("until=2026-11-25T09:00:00Z")).toEqual(["alpha/firewall-enabled"]);
    const page1 = await p.json<{ items: unknown[]; nextCursor: string }>("GET", "/api/v1/evidence?limit=2", {
      token: p.tokens.auditor,
    });
    const page2 = await p.json<{ items: unknown[]; nextCursor?: string }>(
      "GET",
      `/api/v1/evidence?limit=2&cursor=${page1.body.nextCursor}`,
      {
        token: p.tokens.auditor,
      },
    );
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeUndefined();
  });

  it("reports latest compliance per machine with freshness, and for the fleet", async () => {
    const p = testPlane({ evidenceFreshnessMs: 2 * HOUR });
    const m = p.machine("web").id;
    const token = p.agentToken(m);
    const rel = await p.json<{ id: string; hosts: { toplevel: string }[] }>("POST", "/api/v1/releases", {
      token: p.tokens.operator,
      body: manifest({ web: { statuses: { "ssh-no-root-login": "pass", "firewall-enabled": "pass" } } }),
    });
    await p.call("PUT", `/api/v1/machines/${m}/desired`, {
      token: p.tokens.operator,
      body: { storePath: rel.body.hosts[0]?.toplevel, releaseId: rel.body.id },
    });
    // no runtime evidence yet: runtime-checked controls are missing, the machine's status is unknown
    const before = await p.json<{ status: string; controls: { controlId: string; status: string }[] }>(
      "GET",
      `/api/v1/compliance/machines/${m}`,
      {
        token: p.tokens.auditor,
      },
    );
    expect(before.body.status).toBe("unknown");
    const runtimeChecked = catalog.filter((c) => c.runtime).map((c) => c.id);
    expect(runtimeChecked.length).toBeGreaterThan(0);
    for (const id of runtimeChecked)
      expect(before.body.controls.find((c) => c.controlId === id)?.status).toBe("missing");

    // a fresh runtime report evaluated by the catalog's runtime checks
    const now = new Date(p.clock.now()).toISOString();
    await p.call("POST", `/api/v1/agents/${m}/evidence`, {
      token,
      body: {
        machineId: m,
        items: [
          {
            idempotencyKey: "rt-000001",
            kind: "runtime-report",
            collectedAt: now,
            payload: runtimeReport(m, now, { "kernel.kptr_restrict": "0" }),
          },
        ],
      },
    });
    const fresh = await p.json<{
      status: string;
      controls: { controlId: string; status: string; runtime: { fresh: boolean } | null }[];
    }>("GET", `/api/v1/compliance/machines/${m}`, { token: p.tokens.auditor });
    const kernel = fresh.body.controls.find((c) => c.controlId === "sysctl-kernel-hardening");
    expect(kernel?.runtime?.fresh).toBe(true);
    expect(kernel?.status).toBe("fail");
    expect(fresh.body.status).toBe("non-compliant");
    expect(fresh.body.controls.find((c) => c.controlId === "ssh-no-root-login")?.status).not.toBe("missing");

    // three hours later the same evidence is stale: missing, never pass
    p.clock.advance(3 * HOUR);
    const stale = await p.json<{
      controls: { controlId: string; status: string; runtime: { fresh: boolean } | null }[];
    }>("GET", `/api/v1/compliance/machines/${m}`, { token: p.tokens.auditor });
    const staleKernel = stale.body.controls.find((c) => c.controlId === "sysctl-kernel-hardening");
    expect(staleKernel).toMatchObject({ status: "missing", runtime: { fresh: false } });

    p.machine("idle");
    const fleet = await p.json<{
      machines: Record<string, number>;
      perMachine: { machineId: string; status: string }[];
    }>("GET", "/api/v1/compliance/fleet", {
      token: p.tokens.auditor,
    });
    expect(fleet.body.machines.total).toBe(2);
    expect(fleet.body.perMachine.map((x) => x.machineId)).toEqual(["idle", "web"]);
  });
});
