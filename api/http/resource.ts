/**
 * One sub-app per resource. `resource.op(spec, handler)` registers a route and records it in the resource's
 * operation table, which feeds the OpenAPI document and the shared security suite (test/api/security.test.ts).
 * Every operation gets, before its handler: authentication and authorization for its `access`, path-parameter
 * bounds, and rejection of undeclared query parameters.
 */
import type { TLSSocket } from "node:tls";
import { type Context, Hono } from "hono";
import type { Actor, AppEnv } from "../env.js";
import { BadRequest, Forbidden, Unauthorized } from "../errors.js";
import { requestHeader } from "./input.js";

/**
 * Who may call an operation:
 * - public: anyone; read: any person's token (admin, operator, auditor); operate: admin or operator;
 * - admin: admin only; agent: the agent of the machine named by the `:machineId` path parameter.
 */
export type Access = "public" | "read" | "operate" | "admin" | "agent";

export interface QueryParamSpec {
  name: string;
  description: string;
  schema: {
    type: "string" | "integer" | "boolean";
    enum?: readonly string[];
    minimum?: number;
    maximum?: number;
    maxLength?: number;
    format?: string;
  };
  /** may repeat (?tag=a&tag=b) */
  repeated?: boolean;
}

export interface ResponseSpec {
  status: number;
  description: string;
  /** schema file stem (schemas/<name>.schema.json), or an inline JSON Schema */
  schema?: string | Record<string, unknown>;
  contentType?: string | string[];
}

export interface OperationSpec {
  /** `resource.verb`, unique, e.g. "machines.list" */
  id: string;
  method: "get" | "post" | "put" | "patch" | "delete";
  /** hono path relative to the resource's mount point, e.g. "/machines/:id" */
  path: string;
  summary: string;
  access: Access;
  /** request body schema (file stem) */
  body?: string;
  query?: readonly QueryParamSpec[];
  responses: readonly ResponseSpec[];
}

/** An operation with its full path (mount point + path), as listed in the route table. */
export interface Operation extends OperationSpec {
  fullPath: string;
  tag: string;
}

export type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** Path parameters are ids or names: bounded and plain, checked before any lookup. */
const PARAM = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class Resource {
  readonly app = new Hono<AppEnv>();
  readonly operations: Operation[] = [];

  /** `mount` is where createApp mounts this resource ("/api/v1" for the API, "" for root endpoints). */
  constructor(
    readonly tag: string,
    readonly description: string,
    readonly mount = "/api/v1",
  ) {}

  op(spec: OperationSpec, handler: Handler): this {
    const operation: Operation = { ...spec, fullPath: `${this.mount}${spec.path}`, tag: this.tag };
    this.operations.push(operation);
    const declared = new Set((spec.query ?? []).map((q) => q.name));
    this.app.on(
      spec.method.toUpperCase(),
      spec.path,
      async (c, next) => {
        c.set("operationId", spec.id);
        if (spec.access !== "public") c.set("actor", authorize(c, spec.access));
        for (const [name, value] of Object.entries(c.req.param() as Record<string, string>)) {
          if (!PARAM.test(value))
            throw new BadRequest(`path parameter ${name} is not a valid id (1-128 of A-Z a-z 0-9 . _ : -)`);
        }
        for (const name of Object.keys(c.req.queries())) {
          if (!declared.has(name))
            throw new BadRequest(`unknown query parameter ${JSON.stringify(name.slice(0, 64))}`);
        }
        await next();
      },
      handler,
    );
    return this;
  }
}

/** The authenticated actor: bearer token first, else the verified TLS client certificate. */
export function authenticate(c: Context<AppEnv>): Actor | null {
  const { credentials } = c.get("runtime");
  const header = requestHeader(c, "authorization");
  if (header !== undefined) {
    const m = /^Bearer ([\x21-\x7e]+)$/.exec(header);
    if (!m?.[1]) throw new Unauthorized("the Authorization header must be `Bearer <token>`");
    return credentials.fromBearer(m[1]);
  }
  const socket = c.env?.incoming?.socket as TLSSocket | undefined;
  if (socket && typeof socket.getPeerCertificate === "function") return credentials.fromSocket(socket);
  return null;
}

function authorize(c: Context<AppEnv>, access: Exclude<Access, "public">): Actor {
  const actor = authenticate(c);
  if (!actor)
    throw new Unauthorized("credentials are required: a bearer token, or an agent's client certificate");
  if (access === "agent") {
    if (actor.kind !== "agent")
      throw new Forbidden("agent endpoints take an agent's certificate or machine token");
    if (actor.machineId !== c.req.param("machineId"))
      throw new Forbidden("an agent may only read and write its own machine");
    return actor;
  }
  if (actor.kind !== "user")
    throw new Forbidden("this operation takes a person's token (admin, operator or auditor)");
  if (access === "operate" && actor.role === "auditor")
    throw new Forbidden("auditors read; they cannot change anything");
  if (access === "admin" && actor.role !== "admin")
    throw new Forbidden("this operation needs the admin role");
  return actor;
}
