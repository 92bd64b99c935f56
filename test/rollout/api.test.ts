/** Rollout, waiver and policy endpoints: conflicts, explicit rollback, bad input, audit rows, the event stream. */
import { afterEach, describe, expect, it } from "vitest";
import type { Rollout } from "../../schemas/generated/rollout.js";
import { validate } from "../../schemas/registry.js";
import { buildFleet, type Fleet, rolloutRow, round, roundsUntil } from "./harness.js";

let fleet: Fleet | undefined;
afterEach(() => {
  fleet?.close();
  fleet = undefined;
});

type Problem = {
  type: string;
  status: number;
  detail: string;
  issues?: { path: string; message: string }[];
} & Record<string, unknown>;

function audits(f: Fleet, action: string): number {
  return (
    f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM audit_events WHERE action = ?").get(action) as {
      n: number;
    }
  ).n;
}

describe("rollouts API", () => {
  it("refuses a host already in an active rollout (409); an explicit rollback takes it over", async () => {
    fleet = await buildFleet({ hosts: 4 });
    const f = fleet;
    const op = f.plane.tokens.operator;
    const first = await f.plane.json<{ rollout: Rollout }>("POST", "/api/v1/rollouts", {
      token: op,
      body: {
        releaseId: f.releaseId,
        spec: { strategy: "staged", batches: ["1", "100%"], bakeTimeMs: 3_600_000, targets: { all: true } },
      },
    });
    expect(first.status).toBe(201);
    const id = first.body.rollout.id;
    await round(f);
    await round(f);
    const second = await f.plane.json<Problem>("POST", "/api/v1/rollouts", {
      token: op,
      body: { releaseId: f.releaseId, spec: { strategy: "all-at-once", targets: { hosts: ["web-001"] } } },
    });
    expect(second.status).toBe(409);
    expect(second.res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(second.body.conflicts).toEqual([{ machineId: "web-001", rolloutId: id }]);
    // the plan says so too, without refusing
    const plan = await f.plane.json<{ conflicts: unknown[] }>("POST", "/api/v1/rollouts/plan", {
      token: op,
      body: { releaseId: f.releaseId, spec: { strategy: "all-at-once", targets: { all: true } } },
    });
    expect(plan.body.conflicts).toHaveLength(4);

    const rollback = await f.plane.json<{ rollout: Rollout }>("POST", "/api/v1/rollouts", {
      token: op,
      body: { rollbackOf: id },
    });
    expect(rollback.status).toBe(201);
    expect(rollback.body.rollout.rollbackOf).toBe(id);
    expect(rolloutRow(f, id).status).toBe("aborted");
    const rbId = rollback.body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, rbId).status === "succeeded");
    const original = validate<Rollout>(
      "rollout",
      (await f.plane.json<Rollout>("GET", `/api/v1/rollouts/${id}`, { token: op })).body,
    );
    expect(original.revertRolloutId).toBe(rbId);
    expect(audits(f, "rollout.rollback")).toBe(1);
    expect(audits(f, "rollout.abort")).toBe(1);
  });

  it("answers bad input with problem+json 4xx naming the field, never 5xx", async () => {
    fleet = await buildFleet({ hosts: 2 });
    const f = fleet;
    const op = f.plane.tokens.operator;
    const cases: [unknown, number, string][] = [
      [
        { releaseId: f.releaseId, spec: { strategy: "staged", batches: ["ten"], targets: { all: true } } },
        422,
        "/spec/batches/0",
      ],
      [{ releaseId: f.releaseId, spec: { strategy: "staged", targets: {} } }, 422, "/spec/targets"],
      [
        { releaseId: f.releaseId, spec: { strategy: "staged", targets: { hosts: ["nope"] } } },
        422,
        "/spec/targets",
      ],
      [
        { releaseId: f.releaseId, spec: { strategy: "all-at-once", batches: ["1"], targets: { all: true } } },
        422,
        "/spec",
      ],
      [
        { releaseId: f.releaseId, spec: { strategy: "sideways", targets: { all: true } } },
        422,
        "/spec/strategy",
      ],
      [{ releaseId: f.releaseId }, 422, "/spec"],
      [{ spec: { strategy: "canary", targets: { all: true } } }, 422, "/releaseId"],
      [
        {
          releaseId: f.releaseId,
          rolloutId: "rol_bad",
          spec: { strategy: "canary", targets: { all: true } },
        },
        422,
        "/rolloutId",
      ],
      [
        { releaseId: f.releaseId, spec: { strategy: "canary", targets: { all: true } }, extra: 1 },
        422,
        "/extra",
      ],
    ];
    for (const [body, status, pointer] of cases) {
      const res = await f.plane.json<Problem>("POST", "/api/v1/rollouts", { token: op, body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.res.headers.get("content-type")).toMatch(/problem\+json/);
      expect(res.body.issues?.map((i) => i.path) ?? [], JSON.stringify(res.body)).toContain(pointer);
    }
    expect((await f.plane.call("POST", "/api/v1/rollouts", { token: op, raw: "{not json" })).status).toBe(
      400,
    );
    expect(
      (
        await f.plane.call("POST", "/api/v1/rollouts", {
          token: op,
          body: { releaseId: "rel_nope", spec: { strategy: "canary", targets: { all: true } } },
        })
      ).status,
    ).toBe(404);
    expect(
      (await f.plane.call("GET", "/api/v1/rollouts/rol_00000000000000000000000000", { token: op })).status,
    ).toBe(404);
    expect(
      (await f.plane.call("POST", "/api/v1/rollouts/rol_00000000000000000000000000/pause", { token: op }))
        .status,
    ).toBe(404);
    expect((await f.plane.call("GET", "/api/v1/rollouts?status=weird", { token: op })).status).toBe(400);
    expect((await f.plane.call("GET", "/api/v1/rollouts/x/events?wait=999999", { token: op })).status).toBe(
      400,
    );
    // nothing was created by any of it
    expect((f.plane.db.sqlite.prepare("SELECT count(*) AS n FROM rollouts").get() as { n: number }).n).toBe(
      0,
    );
  });

  it("abort keeps updated hosts and clears hosts in flight; a second abort is a conflict", async () => {
    fleet = await buildFleet({ hosts: 4 });
    const f = fleet;
    f.agents.get("web-000")!.behaviour = "silent";
    f.agents.get("web-001")!.behaviour = "silent";
    const id = (
      await f.plane.json<{ rollout: Rollout }>("POST", "/api/v1/rollouts", {
        token: f.plane.tokens.operator,
        body: { releaseId: f.releaseId, spec: { strategy: "all-at-once", targets: { all: true } } },
      })
    ).body.rollout.id;
    await round(f);
    f.scheduler.tick(); // the scheduler takes in the two confirmations
    const aborted = await f.plane.json<Rollout>("POST", `/api/v1/rollouts/${id}/abort`, {
      token: f.plane.tokens.operator,
      body: { revert: false },
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.status).toBe("aborted");
    f.scheduler.tick();
    const desired = f.plane.db.sqlite
      .prepare("SELECT machine_id AS m, store_path AS p FROM desired_generations ORDER BY machine_id")
      .all() as {
      m: string;
      p: string | null;
    }[];
    expect(desired.filter((d) => d.p === null).map((d) => d.m)).toEqual(["web-000", "web-001"]);
    expect(desired.filter((d) => d.p !== null).map((d) => d.m)).toEqual(["web-002", "web-003"]);
    const again = await f.plane.json<Problem>("POST", `/api/v1/rollouts/${id}/abort`, {
      token: f.plane.tokens.operator,
      body: { revert: false },
    });
    expect(again.status).toBe(409);
    expect(audits(f, "rollout.abort")).toBe(1);
  });

  it("streams status snapshots and events as server-sent events until the rollout ends", async () => {
    fleet = await buildFleet({ hosts: 3 });
    const f = fleet;
    const id = (
      await f.plane.json<{ rollout: Rollout }>("POST", "/api/v1/rollouts", {
        token: f.plane.tokens.operator,
        body: { releaseId: f.releaseId, spec: { strategy: "canary", targets: { all: true } } },
      })
    ).body.rollout.id;
    await roundsUntil(f, () => rolloutRow(f, id).status === "succeeded");
    const res = await f.plane.call("GET", `/api/v1/rollouts/${id}/stream`, { token: f.plane.tokens.auditor });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/event: rollout-event\ndata: (.*)\nid: (\d+)/g)].map((m) =>
      validate<{ kind: string }>("rollout-event", JSON.parse(m[1]!)),
    );
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["rollout.started", "batch.passed", "rollout.succeeded"]),
    );
    const status = [...text.matchAll(/event: status\ndata: (.*)/g)].map((m) =>
      validate<Rollout>("rollout", JSON.parse(m[1]!)),
    );
    expect(status.at(-1)!.status).toBe("succeeded");
    // long-poll answers at once when the rollout is over
    const page = await f.plane.json<{ items: unknown[]; after: number; status: string }>(
      "GET",
      `/api/v1/rollouts/${id}/events?after=0&wait=30000`,
      {
        token: f.plane.tokens.auditor,
      },
    );
    expect(page.body.status).toBe("succeeded");
    expect(page.body.items.length).toBe(events.length);
  });
});

describe("waivers and policy API", () => {
  it("validates waivers and policies, and keeps every change in the audit trail", async () => {
    fleet = await buildFleet({ hosts: 1 });
    const f = fleet;
    const past = await f.plane.json<Problem>("POST", "/api/v1/waivers", {
      token: f.plane.tokens.operator,
      body: {
        controlId: "ssh-no-root-login",
        rationale: "x",
        expiresAt: new Date(f.plane.clock.now() - 1).toISOString(),
      },
    });
    expect(past.status).toBe(422);
    expect(past.body.issues?.[0]?.path).toBe("/expiresAt");
    const blank = await f.plane.json<Problem>("POST", "/api/v1/waivers", {
      token: f.plane.tokens.operator,
      body: { controlId: "ssh-no-root-login", rationale: "   ", expiresAt: "2030-01-01T00:00:00Z" },
    });
    expect(blank.status).toBe(422);
    const w = await f.plane.json<{ id: string }>("POST", "/api/v1/waivers", {
      token: f.plane.tokens.operator,
      body: {
        controlId: "ssh-no-root-login",
        tags: ["web"],
        rationale: "lab machines",
        expiresAt: "2030-01-01T00:00:00Z",
      },
    });
    const revoked = await f.plane.json<{ state: string }>("POST", `/api/v1/waivers/${w.body.id}/revoke`, {
      token: f.plane.tokens.admin,
      body: { reason: "not needed" },
    });
    expect(revoked.body.state).toBe("revoked");
    expect(
      (
        await f.plane.call("POST", `/api/v1/waivers/${w.body.id}/revoke`, {
          token: f.plane.tokens.admin,
          body: { reason: "again" },
        })
      ).status,
    ).toBe(409);
    expect(
      (await f.plane.call("POST", `/api/v1/waivers/${w.body.id}/approve`, { token: f.plane.tokens.admin }))
        .status,
    ).toBe(409);
    const listed = await f.plane.json<{ items: { id: string }[] }>("GET", "/api/v1/waivers?state=revoked", {
      token: f.plane.tokens.auditor,
    });
    expect(listed.body.items.map((i) => i.id)).toEqual([w.body.id]);

    const unknown = await f.plane.json<Problem>("PUT", "/api/v1/policy", {
      token: f.plane.tokens.admin,
      body: { version: 1, requiredControls: ["no-such-control"] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.issues?.[0]?.path).toBe("/requiredControls/0");
    const selfApproved = await f.plane.json<Problem>("PUT", "/api/v1/policy", {
      token: f.plane.tokens.admin,
      body: {
        version: 1,
        waivers: [
          {
            id: "w1",
            controlId: "ssh-no-root-login",
            rationale: "r",
            requestedBy: "ann",
            approvedBy: "ann",
            expiresAt: "2030-01-01T00:00:00Z",
          },
        ],
      },
    });
    expect(selfApproved.status).toBe(422);
    expect(selfApproved.body.issues?.[0]?.path).toBe("/waivers/0/approvedBy");
    const shown = await f.plane.json<{ version: number }>("GET", "/api/v1/policy", {
      token: f.plane.tokens.auditor,
    });
    expect(shown.body.version).toBe(1); // the scenario policy; refused ones changed nothing
    expect(audits(f, "policy.set")).toBe(1);
    expect(audits(f, "waiver.request")).toBe(1);
    expect(audits(f, "waiver.revoke")).toBe(1);
  });
});
