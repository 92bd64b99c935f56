/** Root endpoints outside /api/v1 (health, readiness, metrics) and the API's own description. */

import { Resource } from "../http/resource.js";
import { REFERENCE_PAGE } from "./reference-page.js";

export const systemResource = new Resource("system", "Health, readiness, metrics and the API description", "")
  .op(
    {
      id: "system.healthz",
      method: "get",
      path: "/healthz",
      summary: "Liveness: the process answers",
      access: "public",
      responses: [{ status: 200, description: "alive" }],
    },
    (c) => c.json({ status: "ok" }),
  )
  .op(
    {
      id: "system.readyz",
      method: "get",
      path: "/readyz",
      summary: "Readiness: the database answers and is migrated",
      access: "public",
      responses: [
        { status: 200, description: "ready" },
        { status: 503, description: "not ready" },
      ],
    },
    (c) => {
      try {
        const row = c
          .get("deps")
          .db.sqlite.prepare("SELECT count(*) AS n FROM __drizzle_migrations")
          .get() as {
          n: number;
        };
        return c.json({ status: "ready", migrations: row.n });
      } catch (err) {
        return c.json({ status: "not ready", reason: err instanceof Error ? err.message : String(err) }, 503);
      }
    },
  )
  .op(
    {
      id: "system.metrics",
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics",
      access: "public",
      responses: [{ status: 200, description: "Prometheus text exposition", contentType: "text/plain" }],
    },
    async (c) => {
      const { registry } = c.get("runtime").metrics;
      return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
    },
  )
  .op(
    {
      id: "system.openapi",
      method: "get",
      path: "/api/v1/openapi.json",
      summary: "This API as OpenAPI 3.1",
      access: "public",
      responses: [{ status: 200, description: "the OpenAPI document" }],
    },
    (c) => c.json(c.get("runtime").openapi),
  )
  .op(
    {
      id: "system.reference",
      method: "get",
      path: "/api/v1/docs",
      summary: "Interactive API reference (self-contained HTML, loads nothing from the internet)",
      access: "public",
      responses: [{ status: 200, description: "HTML page", contentType: "text/html" }],
    },
    (c) =>
      c.html(REFERENCE_PAGE, 200, {
        "content-security-policy":
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      }),
  );
