/** /api/v1/tokens: create (the secret is shown once), list, revoke. Admin only. */
import type { TokenCreate } from "../../schemas/generated/token-create.js";
import { decodeCursor, encodeCursor, PAGE_QUERY, pageSize, readJson } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { createToken } from "../services/createToken.js";
import { revokeToken } from "../services/revokeToken.js";
import { listTokens } from "./queries.js";

const tokenView = {
  type: "object",
  required: ["id", "name", "role", "createdAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    role: { type: "string", enum: ["admin", "operator", "auditor", "agent"] },
    machineId: { type: ["string", "null"] },
    createdAt: { type: "string", format: "date-time" },
    createdBy: { type: "string" },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
  },
};

export const tokensResource = new Resource("tokens", "Bearer tokens (stored hashed) with roles and expiry")
  .op(
    {
      id: "tokens.create",
      method: "post",
      path: "/tokens",
      summary: "Create a token; the answer carries the secret once",
      access: "admin",
      body: "token-create",
      responses: [
        {
          status: 201,
          description: "created",
          schema: {
            allOf: [
              tokenView,
              { type: "object", required: ["token"], properties: { token: { type: "string" } } },
            ],
          },
        },
      ],
    },
    async (c) => {
      const input = await readJson<TokenCreate>(c, "token-create");
      return c.json(createToken({ ctx: serviceContext(c), input }), 201);
    },
  )
  .op(
    {
      id: "tokens.list",
      method: "get",
      path: "/tokens",
      summary: "List tokens, newest first (no secrets)",
      access: "admin",
      query: PAGE_QUERY,
      responses: [
        {
          status: 200,
          description: "a page of tokens",
          schema: {
            type: "object",
            properties: { items: { type: "array", items: tokenView }, nextCursor: { type: "string" } },
          },
        },
      ],
    },
    (c) => {
      const page = listTokens(c.get("deps").db, {
        before: decodeCursor<string>(c, "string"),
        limit: pageSize(c),
      });
      return c.json(
        page.next ? { items: page.items, nextCursor: encodeCursor(page.next) } : { items: page.items },
      );
    },
  )
  .op(
    {
      id: "tokens.revoke",
      method: "delete",
      path: "/tokens/:id",
      summary: "Revoke a token (effective at once on this server)",
      access: "admin",
      responses: [{ status: 200, description: "the revoked token", schema: tokenView }],
    },
    (c) => {
      const revoked = revokeToken({ ctx: serviceContext(c), input: { id: c.req.param("id") ?? "" } });
      c.get("runtime").credentials.forgetTokens();
      return c.json(revoked);
    },
  );
