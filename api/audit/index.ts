/** /api/v1/audit: the audit trail, filtered and paged; exports as CSV or JSON lines; chain verification. */
import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { AppEnv } from "../env.js";
import { decodeCursor, encodeCursor, PAGE_QUERY, pageSize, stringQuery, timeQuery } from "../http/input.js";
import type { QueryParamSpec } from "../http/resource.js";
import { Resource } from "../http/resource.js";
import { verifyAuditChain } from "../services/audit-chain.js";
import { type AuditFilter, auditPageAfter, CSV_COLUMNS, csvLine, listAudit } from "./queries.js";

const FILTER_QUERY: QueryParamSpec[] = [
  {
    name: "action",
    description: "entity.verb, or entity.* for every verb",
    schema: { type: "string", maxLength: 64 },
  },
  {
    name: "actor",
    description: "actor id (token id, machine id, system reason)",
    schema: { type: "string", maxLength: 128 },
  },
  {
    name: "targetType",
    description: "machine, token, release, …",
    schema: { type: "string", maxLength: 64 },
  },
  { name: "targetId", description: "the target's id", schema: { type: "string", maxLength: 128 } },
  { name: "since", description: "at or after (date-time)", schema: { type: "string", format: "date-time" } },
  { name: "until", description: "before (date-time)", schema: { type: "string", format: "date-time" } },
];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:*/-]{0,127}$/;

function filterOf(c: Context<AppEnv>): AuditFilter {
  return {
    action: stringQuery(c, "action", /^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$/),
    actorId: stringQuery(c, "actor", NAME),
    targetType: stringQuery(c, "targetType", NAME),
    targetId: stringQuery(c, "targetId", NAME),
    since: timeQuery(c, "since"),
    until: timeQuery(c, "until"),
  };
}

export const auditResource = new Resource("audit", "The tamper-evident audit trail")
  .op(
    {
      id: "audit.list",
      method: "get",
      path: "/audit",
      summary: "Audit events, newest first, filtered, in cursor pages",
      access: "read",
      query: [...FILTER_QUERY, ...PAGE_QUERY],
      responses: [{ status: 200, description: "a page of audit events" }],
    },
    (c) => {
      const page = listAudit(
        c.get("deps").db,
        { ...filterOf(c), beforeSeq: decodeCursor<number>(c, "number") },
        pageSize(c),
      );
      return c.json(
        page.next !== undefined
          ? { items: page.items, nextCursor: encodeCursor(page.next) }
          : { items: page.items },
      );
    },
  )
  .op(
    {
      id: "audit.export",
      method: "get",
      path: "/audit/export",
      summary: "Export matching events, oldest first, as CSV (formula-injection safe) or JSON lines",
      access: "read",
      query: [
        {
          name: "format",
          description: "csv or jsonl (default jsonl)",
          schema: { type: "string", enum: ["csv", "jsonl"] },
        },
        ...FILTER_QUERY,
      ],
      responses: [
        { status: 200, description: "CSV or JSON lines", contentType: ["text/csv", "application/x-ndjson"] },
      ],
    },
    (c) => {
      const format = stringQuery(c, "format", /^(csv|jsonl)$/) ?? "jsonl";
      const filter = filterOf(c);
      const { db } = c.get("deps");
      c.header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
      c.header("content-disposition", `attachment; filename="nixfleet-audit.${format}"`);
      return stream(c, async (out) => {
        if (format === "csv") await out.write(`${CSV_COLUMNS.join(",")}\r\n`);
        let after = 0;
        for (;;) {
          const page = auditPageAfter(db, filter, after, 500);
          if (page.length === 0) break;
          await out.write(
            page.map((e) => (format === "csv" ? csvLine(e) : `${JSON.stringify(e)}\n`)).join(""),
          );
          after = page[page.length - 1]?.seq ?? after;
        }
      });
    },
  )
  .op(
    {
      id: "audit.verify",
      method: "get",
      path: "/audit/verify",
      summary: "Verify the hash chain; names the first bad event",
      access: "read",
      responses: [{ status: 200, description: "the verdict (ok false names firstBad)" }],
    },
    (c) => c.json(verifyAuditChain(c.get("deps").db)),
  );
