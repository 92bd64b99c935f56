/**
 * The control-plane app factory. Dependencies reach handlers through the context (`c.get("deps")`), so every test
 * builds a fresh app on its own database. Resources are sub-apps (api/resources.ts) mounted with app.route();
 * one onError renders every failure as RFC 9457 problem+json carrying the request id.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { newId } from "../schemas/ids.js";
import type { AppDeps, AppEnv, PlaneRuntime } from "./env.js";
import { PayloadTooLarge } from "./errors.js";
import { CredentialStore } from "./http/credentials.js";
import { requestHeader } from "./http/input.js";
import { problemResponse, toProblem } from "./http/problem.js";
import { ApiMetrics } from "./metrics.js";
import { buildOpenApi } from "./openapi.js";
import { resources } from "./resources.js";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Request ids without a random draw per request (the check-in hot path): a fresh prefixed, time-sortable id per
 * app instance plus a counter. Unique across restarts through the id's own randomness.
 */
function requestIds(now: number): () => string {
  const base = newId("req", now);
  let counter = 0;
  return () => `${base}-${(counter++).toString(36)}`;
}

export interface ControlPlaneApp {
  app: Hono<AppEnv>;
  runtime: PlaneRuntime;
}

/** Builds the app and its runtime (credential caches, metrics, route table). */
export function createControlPlane(deps: AppDeps): ControlPlaneApp {
  const operations = resources.flatMap((r) => r.operations);
  const runtime: PlaneRuntime = {
    credentials: new CredentialStore(deps.db, deps.clock, deps.config.credentialCacheTtlMs, deps.keys),
    metrics: new ApiMetrics(),
    operations,
    openapi: buildOpenApi(resources),
  };
  const { metrics } = runtime;
  const app = new Hono<AppEnv>();
  const nextRequestId = requestIds(deps.clock.now());

  app.use("*", async (c, next) => {
    const started = performance.now();
    const incoming = requestHeader(c, "x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : nextRequestId();
    c.set("deps", deps);
    c.set("runtime", runtime);
    c.set("requestId", requestId);
    c.set("operationId", "unmatched");
    // Error answers always carry the request id (header and problem body). Successful answers echo it only when
    // the client sent one: an extra header makes every Response build a Headers object, a third of the check-in.
    if (incoming === requestId) c.header("x-request-id", requestId);
    await next();
    const operation = c.get("operationId");
    metrics.requests.inc({ operation, status: String(c.res.status) });
    metrics.duration.observe({ operation }, (performance.now() - started) / 1000);
  });

  const limitBody = bodyLimit({
    maxSize: deps.config.maxBodyBytes,
    onError: (c) => {
      const err = new PayloadTooLarge(`the body exceeds ${deps.config.maxBodyBytes} bytes`);
      return problemResponse(toProblem(err, c.get("requestId"), c.req.path));
    },
  });
  // Only requests that may carry a body go through the limit: reading `c.req.raw.body` makes @hono/node-server
  // build a full Request object, which was most of the cost of an agent's GET check-in.
  app.use("/api/*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next),
  );

  const api = new Hono<AppEnv>();
  for (const resource of resources) {
    if (resource.mount === "/api/v1") api.route("/", resource.app);
    else app.route(resource.mount || "/", resource.app);
  }
  app.route("/api/v1", api);

  app.notFound((c) =>
    problemResponse({
      type: "https://nixfleet.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: `no operation at ${c.req.method} ${c.req.path.slice(0, 200)}`,
      requestId: c.get("requestId") ?? "unknown",
    }),
  );

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? newId("req");
    const problem = toProblem(err, requestId, c.req.path.slice(0, 200));
    if (problem.status >= 500)
      deps.logger.error({ err, requestId, operation: c.get("operationId") }, "request failed");
    else deps.logger.debug({ requestId, status: problem.status, detail: problem.detail }, "request rejected");
    const headers: Record<string, string> =
      problem.status === 401 ? { "www-authenticate": 'Bearer realm="nixfleet"' } : {};
    return problemResponse(problem, headers);
  });

  return { app, runtime };
}

/** `createApp({ db, config, clock, keys, logger })`: the hono app alone. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  return createControlPlane(deps).app;
}
