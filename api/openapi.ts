/**
 * OpenAPI 3.1 generated from the route table and schemas/: each request and response body references the JSON
 * Schema of the same $id, embedded under components.schemas (OpenAPI 3.1 speaks JSON Schema 2020-12).
 */
import { allSchemas } from "../schemas/generated/index.js";
import type { Operation, Resource } from "./http/resource.js";

const SCHEMA_BASE = "https://nixfleet.dev/schemas/";

interface JsonSchema {
  $id?: string;
  [k: string]: unknown;
}

const schemasByFile = new Map<string, JsonSchema>(
  Object.values(allSchemas as Record<string, JsonSchema>).map((s) => [
    String(s.$id).replace(SCHEMA_BASE, ""),
    s,
  ]),
);

function componentName(file: string): string {
  return file.replace(/\.schema\.json$/, "");
}

/** Rewrites relative "$ref": "x.schema.json#…" to components refs, collecting the schemas used. */
function rewriteRefs(value: unknown, used: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, used));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string" && /^[a-z0-9-]+\.schema\.json/.test(v)) {
        const [file = "", fragment] = v.split("#");
        used.add(file);
        out[k] = `#/components/schemas/${componentName(file)}${fragment ? fragment.replace(/^\//, "/") : ""}`;
      } else out[k] = rewriteRefs(v, used);
    }
    return out;
  }
  return value;
}

function schemaRef(schema: string | Record<string, unknown>, used: Set<string>): unknown {
  if (typeof schema === "string") {
    used.add(`${schema}.schema.json`);
    return { $ref: `#/components/schemas/${schema}` };
  }
  return rewriteRefs(schema, used);
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? "");
}

function operationObject(op: Operation, used: Set<string>): Record<string, unknown> {
  const parameters = [
    ...pathParams(op.path).map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$" },
    })),
    ...(op.query ?? []).map((q) => ({
      name: q.name,
      in: "query",
      description: q.description,
      schema: q.repeated ? { type: "array", items: q.schema } : q.schema,
      ...(q.repeated ? { style: "form", explode: true } : {}),
    })),
  ];
  const responses: Record<string, unknown> = {};
  for (const r of op.responses) {
    responses[String(r.status)] = {
      description: r.description,
      ...(r.schema || r.contentType
        ? {
            content: Object.fromEntries(
              [r.contentType ?? "application/json"]
                .flat()
                .map((t) => [t, r.schema ? { schema: schemaRef(r.schema, used) } : {}]),
            ),
          }
        : {}),
    };
  }
  const problem = { content: { "application/problem+json": { schema: schemaRef("problem", used) } } };
  responses["4XX"] = { description: "the request was rejected (RFC 9457 problem details)", ...problem };
  const security =
    op.access === "public"
      ? []
      : op.access === "agent"
        ? [{ mutualTLS: [] }, { bearer: [] }]
        : [{ bearer: [] }];
  return {
    operationId: op.id,
    summary: op.summary,
    tags: [op.tag],
    "x-nixfleet-access": op.access,
    security,
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemaRef(op.body, used) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the given resources. */
export function buildOpenApi(resources: readonly Resource[]): Record<string, unknown> {
  const used = new Set<string>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const resource of resources) {
    for (const op of resource.operations) {
      const path = op.fullPath.replace(/:([A-Za-z]+)/g, "{$1}") || "/";
      paths[path] ??= {};
      paths[path][op.method] = operationObject(op, used);
    }
  }
  // Pull in every schema reachable from the ones referenced.
  const components: Record<string, unknown> = {};
  const queue = [...used];
  while (queue.length) {
    const file = queue.pop() ?? "";
    const name = componentName(file);
    if (components[name]) continue;
    const schema = schemasByFile.get(file);
    if (!schema) continue;
    const before = new Set(used);
    const { $id: _id, $schema: _s, ...rest } = schema;
    components[name] = rewriteRefs(rest, used);
    for (const f of used) if (!before.has(f)) queue.push(f);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "NixFleet control plane",
      version: "1",
      description:
        "Fleet inventory, releases, agent endpoints, runtime evidence and a tamper-evident audit trail. Errors are RFC 9457 application/problem+json with a requestId.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: resources.map((r) => ({ name: r.tag, description: r.description })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : 1))),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "nft_… token (admin, operator, auditor, or agent bound to a machine)",
        },
        mutualTLS: {
          type: "mutualTLS",
          description: "agent certificate issued by `nixfleet ca issue --machine ID`",
        },
      },
    },
  };
}
