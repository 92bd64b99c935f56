/**
 * /api/v1/reports: auditor outputs. The NIS2 Article 21 report as PDF or its JSON twin, and the evidence of a
 * period (records and audit events) from which `nixfleet evidence export --server` builds a signed bundle.
 * Admins and auditors only: an operator changes the fleet and should not also produce its audit report.
 */
import { readFileSync } from "node:fs";
import type { Context } from "hono";
import { buildNis2Report, nis2ReportJson } from "../../reports/nis2/model.js";
import { renderNis2Pdf } from "../../reports/nis2/pdf.js";
import type { AppEnv } from "../env.js";
import { BadRequest, Forbidden } from "../errors.js";
import { stringQuery, timeQuery } from "../http/input.js";
import { type QueryParamSpec, Resource } from "../http/resource.js";
import { auditEventsOf, collectPeriod, type Period } from "./collect.js";
import { nis2InputFromDb } from "./nis2.js";

const DAY_MS = 86_400_000;
/** Default period: the 30 days before now. */
const DEFAULT_PERIOD_DAYS = 30;
/** A year and a bit: longer periods make reports nobody reads and queries nobody wants on a live plane. */
const MAX_PERIOD_MS = 400 * DAY_MS;

const PERIOD_QUERY: QueryParamSpec[] = [
  {
    name: "since",
    description: "start of the period (date-time)",
    schema: { type: "string", format: "date-time" },
  },
  {
    name: "until",
    description: "end of the period (date-time; default now)",
    schema: { type: "string", format: "date-time" },
  },
];

let cachedVersion: string | undefined;
function generatorVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
        version?: string;
      };
      cachedVersion = pkg.version ?? "0.0.0";
    } catch {
      try {
        const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
          version?: string;
        };
        cachedVersion = pkg.version ?? "0.0.0";
      } catch {
        cachedVersion = "0.0.0";
      }
    }
  }
  return cachedVersion;
}

function auditorOrAdmin(c: Context<AppEnv>): void {
  const actor = c.var.actor;
  if (actor.kind === "user" && actor.role === "operator")
    throw new Forbidden("reports are for auditors and admins");
}

function periodOf(c: Context<AppEnv>): Period {
  const untilMs = timeQuery(c, "until") ?? c.var.deps.clock.now();
  const sinceMs = timeQuery(c, "since") ?? untilMs - DEFAULT_PERIOD_DAYS * DAY_MS;
  if (sinceMs > untilMs) throw new BadRequest("since is after until");
  if (untilMs - sinceMs > MAX_PERIOD_MS) throw new BadRequest("the period may span at most 400 days");
  return { sinceMs, untilMs };
}

export const reportsResource = new Resource("reports", "Auditor outputs: NIS2 report and period evidence")
  .op(
    {
      id: "reports.nis2",
      method: "get",
      path: "/reports/nis2",
      summary: "The NIS2 Article 21 report of a period, as PDF or as its JSON twin (admin, auditor)",
      access: "read",
      query: [
        {
          name: "format",
          description: "pdf (default) or json (the view model, schemas/nis2-report)",
          schema: { type: "string", enum: ["pdf", "json"] },
        },
        ...PERIOD_QUERY,
        {
          name: "entity",
          description: "name of the reporting entity",
          schema: { type: "string", maxLength: 200 },
        },
      ],
      responses: [
        {
          status: 200,
          description: "the report",
          contentType: ["application/pdf", "application/json"],
        },
      ],
    },
    async (c) => {
      auditorOrAdmin(c);
      const format = stringQuery(c, "format", /^(pdf|json)$/) ?? "pdf";
      const entity = stringQuery(c, "entity", /^[\x20-\x7e\u00a0-\uffff]{1,200}$/);
      const period = periodOf(c);
      const { db, clock } = c.var.deps;
      const model = buildNis2Report(
        nis2InputFromDb(db, {
          period,
          entity: { name: entity },
          generatedAt: new Date(clock.now()).toISOString(),
          generatorVersion: generatorVersion(),
          location: "control plane",
          sourceKind: "server",
        }),
      );
      if (format === "json")
        return c.body(nis2ReportJson(model), 200, { "content-type": "application/json; charset=utf-8" });
      const pdf = await renderNis2Pdf(model);
      return c.body(new Uint8Array(pdf), 200, {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="nis2-report-${model.identification.period.until.slice(0, 10)}.pdf"`,
      });
    },
  )
  .op(
    {
      id: "reports.evidence",
      method: "get",
      path: "/reports/evidence",
      summary: "Evidence records and audit events of a period, for a signed evidence bundle (admin, auditor)",
      access: "read",
      query: PERIOD_QUERY,
      responses: [{ status: 200, description: "records, audit events and the chain anchor" }],
    },
    (c) => {
      auditorOrAdmin(c);
      const period = periodOf(c);
      const { db } = c.var.deps;
      const { records } = collectPeriod(db, period);
      const audit = auditEventsOf(db, period);
      return c.json({
        period: {
          since: new Date(period.sinceMs).toISOString(),
          until: new Date(period.untilMs).toISOString(),
        },
        records,
        audit,
      });
    },
  );
