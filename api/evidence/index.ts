/** /api/v1/evidence and /api/v1/compliance: evidence queries and latest compliance status with freshness. */
import { BadRequest } from "../errors.js";
import { decodeCursor, encodeCursor, PAGE_QUERY, pageSize, stringQuery, timeQuery } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { fleetCompliance, machineCompliance } from "./compliance.js";
import { listEvidence } from "./queries.js";

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const evidenceResource = new Resource("evidence", "Runtime evidence and compliance status")
  .op(
    {
      id: "evidence.list",
      method: "get",
      path: "/evidence",
      summary:
        "Evidence items, newest first, by machine, kind, control, framework requirement, status and time",
      access: "read",
      query: [
        { name: "machine", description: "machine id", schema: { type: "string", maxLength: 128 } },
        {
          name: "kind",
          description: "item kind",
          schema: { type: "string", enum: ["runtime-report", "health-check", "control-result"] },
        },
        {
          name: "control",
          description: "control id (control-result items)",
          schema: { type: "string", maxLength: 128 },
        },
        {
          name: "framework",
          description: "nis2, dora, iso27001, anssi-bp028",
          schema: { type: "string", enum: ["nis2", "dora", "iso27001", "anssi-bp028"] },
        },
        {
          name: "requirement",
          description: "requirement id, e.g. 21.2.a",
          schema: { type: "string", maxLength: 64 },
        },
        {
          name: "status",
          description: "control status",
          schema: { type: "string", enum: ["pass", "fail", "error", "not-applicable", "waived"] },
        },
        {
          name: "since",
          description: "collected at or after",
          schema: { type: "string", format: "date-time" },
        },
        { name: "until", description: "collected before", schema: { type: "string", format: "date-time" } },
        ...PAGE_QUERY,
      ],
      responses: [{ status: 200, description: "a page of evidence items" }],
    },
    (c) => {
      const kind = stringQuery(c, "kind", /^(runtime-report|health-check|control-result)$/) as
        | "runtime-report"
        | "health-check"
        | "control-result"
        | undefined;
      const requirement = stringQuery(c, "requirement", /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
      const framework = stringQuery(c, "framework", /^(nis2|dora|iso27001|anssi-bp028)$/);
      if (requirement && !framework) throw new BadRequest("a requirement filter needs its framework");
      const page = listEvidence(
        c.get("deps").db,
        {
          machineId: stringQuery(c, "machine", ID),
          kind,
          controlId: stringQuery(c, "control", ID),
          framework,
          requirement,
          status: stringQuery(c, "status", /^(pass|fail|error|not-applicable|waived)$/),
          since: timeQuery(c, "since"),
          until: timeQuery(c, "until"),
          beforeSeq: decodeCursor<number>(c, "number"),
        },
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
      id: "compliance.machine",
      method: "get",
      path: "/compliance/machines/:id",
      summary: "Latest compliance status of one machine, per control, with freshness",
      access: "read",
      responses: [{ status: 200, description: "the machine's compliance" }],
    },
    (c) => {
      const { db, clock, config } = c.get("deps");
      return c.json(machineCompliance(db, c.req.param("id") ?? "", clock.now(), config.evidenceFreshnessMs));
    },
  )
  .op(
    {
      id: "compliance.fleet",
      method: "get",
      path: "/compliance/fleet",
      summary: "Latest compliance status of the fleet: machines and controls by status",
      access: "read",
      responses: [{ status: 200, description: "the fleet's compliance" }],
    },
    (c) => {
      const { db, clock, config } = c.get("deps");
      return c.json(fleetCompliance(db, clock.now(), config.evidenceFreshnessMs));
    },
  );
