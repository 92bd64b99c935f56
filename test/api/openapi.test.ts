import { describe, expect, it } from "vitest";
import { testPlane } from "./harness.js";

describe("OpenAPI and the reference page", () => {
  it("documents every operation of the route table, with resolvable schema references", async () => {
    const p = testPlane();
    const res = await p.json<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>("GET", "/api/v1/openapi.json");
    expect(res.body.openapi).toBe("3.1.0");
    const documented = Object.values(res.body.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(documented.sort()).toEqual(p.runtime.operations.map((o) => o.id).sort());
    for (const op of Object.values(res.body.paths).flatMap((i) => Object.values(i)))
      expect(op.responses["4XX"]).toBeDefined();
    const refs = [...JSON.stringify(res.body).matchAll(/"\$ref":"#\/components\/schemas\/([a-z0-9-]+)/g)].map(
      (m) => m[1] ?? "",
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(res.body.components.schemas[name], name).toBeDefined();
    expect(res.body.paths["/api/v1/agents/{machineId}/desired"]?.get?.operationId).toBe("agents.desired");
  });

  it("serves a self-contained reference page that loads nothing from elsewhere", async () => {
    const p = testPlane();
    const res = await p.call("GET", "/api/v1/docs");
    const html = await res.text();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(html).toContain('fetch("./openapi.json")');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("exposes health, readiness and Prometheus metrics at the root", async () => {
    const p = testPlane();
    await p.call("GET", "/api/v1/machines", { token: p.tokens.admin });
    expect(await (await p.call("GET", "/healthz")).json()).toEqual({ status: "ok" });
    expect(await (await p.call("GET", "/readyz")).json()).toMatchObject({ status: "ready" });
    const metrics = await (await p.call("GET", "/metrics")).text();
    expect(metrics).toMatch(/nixfleet_http_requests_total\{operation="machines.list",status="200"\} 1/);
    expect(metrics).toContain("nixfleet_http_request_duration_seconds_bucket");
  });
});
