/**
 * Auditor outputs against a real control-plane database: GET /api/v1/reports/*, and the compiled CLI reading
 * the same SQLite file offline (report nis2 --db, evidence export/verify) or the spawned server (--server).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv as Ajv07 } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog, evaluateHost } from "../../controls/index.js";
import type { Facts } from "../../controls/types.js";
import {
  auditEventHash,
  type BundleAuditEvent,
  verifyBundle,
  verifyBundleFile,
} from "../../evidence/bundle.js";
import type { Nis2ReportModel } from "../../schemas/generated/nis2-report.js";
import type { Policy } from "../../schemas/generated/policy.js";
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import { check } from "../../schemas/registry.js";
import { nixfleet, ROOT, type SpawnedServer, spawnServer, tempDir } from "../../test/api/cli-helpers.js";
import { type TestPlane, testPlane } from "../../test/api/harness.js";
import { systemContext } from "../services/context.js";
import { createRelease } from "../services/createRelease.js";
import { ingestEvidence } from "../services/ingestEvidence.js";
import { setDesiredGeneration } from "../services/setDesiredGeneration.js";
import { auditEventsOf } from "./collect.js";

const fleet = JSON.parse(readFileSync(join(ROOT, "examples/fleet/fleet.json"), "utf8")) as Record<
  string,
  Facts
>;
const HOSTS = ["db-01", "legacy-01", "web-01"] as const;
const TOPLEVEL: Record<string, string> = {
  "db-01": "/nix/store/4k8v0c2x6m1nq9r7s5t3w1y9z7b5d3f1-nixos-system-db-01-24.11",
  "legacy-01": "/nix/store/1b2c3d4e5f6g7h8i9j0k1l2m3n4p5q6r-nixos-system-legacy-01-23.05",
  "web-01": "/nix/store/8q0n6d2w4m5cwx1sd8fz2j7r3ybbdf1a-nixos-system-web-01-24.11",
};
const SINCE = "2026-11-01T00:00:00Z";
const UNTIL = "2026-11-26T00:00:00Z";

const dir = tempDir("nixfleet-reporting-");
const dbPath = join(dir, "plane.db");
let plane: TestPlane;

/** A fleet in the database: three machines on one release, runtime evidence, a waiver, a failed rollout and its rollback. */
async function seed(p: TestPlane): Promise<void> {
  const ctx = systemContext(p.db, p.clock, "reporting test");
  for (const host of HOSTS) p.machine(host, fleet[host]!.nixfleet.meta.tags ?? []);
  const manifest: ReleaseManifest = {
    hosts: Object.fromEntries(
      HOSTS.map((host) => [
        host,
        {
          toplevel: TOPLEVEL[host]!,
          facts: fleet[host]!,
          evalEvidence: evaluateHost(host, fleet[host]!, catalog),
        },
      ]),
    ),
    source: { flake: "github:example/fleet", revision: "3f2c0d5e9a1b7c4d6e8f0a2b4c6d8e0f1a3b5c7d" },
  };
  const { release } = createRelease({ ctx, input: manifest });
  for (const host of HOSTS)
    setDesiredGeneration({
      ctx,
      input: { machineId: host, storePath: TOPLEVEL[host]!, releaseId: release.id },
    });
  const policy: Policy = {
    version: 1,
    frameworks: ["nis2", "anssi-bp028", "iso27001"],
    nis2Entity: "essential",
    requiredControls: ["*"],
    waivers: [
      {
        id: "wvr-db-01-postgres-port",
        controlId: "firewall-listening-services",
        hosts: ["db-01"],
        rationale: "PostgreSQL reachable from the application subnet only; filtered upstream (CHG-4711).",
        requestedBy: "dba-team@example.org",
        approvedBy: "ciso@example.org",
        expiresAt: "2027-03-31T00:00:00Z",
      },
    ],
  };
  expect((await p.json("PUT", "/api/v1/policy", { token: p.tokens.admin, body: policy })).status).toBe(200);
  ingestEvidence({
    ctx,
    input: {
      machineId: "web-01",
      items: [
        {
          idempotencyKey: "web-01-runtime-0001",
          kind: "runtime-report",
          collectedAt: "2026-11-25T11:30:00Z",
          payload: {
            machineId: "web-01",
            hostName: "web-01",
            platform: "nixos",
            collectedAt: "2026-11-25T11:30:00Z",
            sysctl: { "kernel.kptr_restrict": "2", "kernel.dmesg_restrict": "1" },
          },
        },
      ],
    },
  });
  // Rollouts are H4's rows; the report only reads them, so two rows are written as the scheduler would leave them.
  const insert = p.db.sqlite.prepare(
    `INSERT INTO rollouts (id, release_id, rollback_of, status, spec, current, failure_reason, failed_total,
       targets_total, revert_requested, created_at, created_by, finished_at, version)
     VALUES (?, ?, ?, ?, '{}', 0, ?, ?, ?, 0, ?, 'operator', ?, 1)`,
  );
  const at = Date.parse("2026-11-20T09:00:00Z");
  insert.run(
    "rol_01JDEMOFAILED00000000000",
    release.id,
    null,
    "failed",
    "health check failed on web-01",
    1,
    3,
    at,
    at + 60_000,
  );
  insert.run(
    "rol_01JDEMOROLLBACK000000000",
    null,
    "rol_01JDEMOFAILED00000000000",
    "succeeded",
    null,
    0,
    1,
    at + 70_000,
    at + 90_000,
  );
}

beforeAll(async () => {
  plane = testPlane({}, dbPath);
  await seed(plane);
}, 120_000);

afterAll(() => {
  plane.db.sqlite.close();
});

describe("GET /api/v1/reports/nis2", () => {
  it("serves the JSON twin to an auditor: inventory, eval and runtime evidence, waiver, rollouts", async () => {
    const { status, body, res } = await plane.json<Nis2ReportModel>(
      "GET",
      `/api/v1/reports/nis2?format=json&since=${SINCE}&until=${UNTIL}&entity=Example%20Energy`,
      { token: plane.tokens.auditor },
    );
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(check("nis2-report", body)).toEqual([]);
    expect(body.identification.entity).toEqual({ name: "Example Energy", type: "essential" });
    expect(body.scope.hosts.map((h) => [h.host, h.toplevel])).toEqual(HOSTS.map((h) => [h, TOPLEVEL[h]]));
    expect(body.scope.hosts[0]!.flakeRevision).toBe("3f2c0d5e9a1b7c4d6e8f0a2b4c6d8e0f1a3b5c7d");
    expect(body.method.checks.runtimeResults).toBeGreaterThan(0);
    expect(body.annexes.evidenceIndex.some((e) => e.source === "runtime" && e.host === "web-01")).toBe(true);
    // db-01 passes at eval time but sent no runtime report: missing evidence, never counted as pass.
    expect(body.findings.some((f) => f.kind === "missing" && f.hosts.includes("db-01"))).toBe(true);
    expect(body.scope.hosts.find((h) => h.host === "db-01")!.status).toBe("insufficient-evidence");
    const e = body.points.find((p) => p.point === "e")!;
    expect(e.waivers.map((w) => w.id)).toEqual(["wvr-db-01-postgres-port"]);
    expect(body.incidentReadiness.failedRollouts).toBe(1);
    expect(body.incidentReadiness.rollbacks).toBe(1);
  });

  it("serves the PDF to an admin", async () => {
    const res = await plane.call("GET", `/api/v1/reports/nis2?since=${SINCE}&until=${UNTIL}`, {
      token: plane.tokens.admin,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(20_000);
  });

  it("refuses operators, and answers bad input with problem+json 400", async () => {
    const refused = await plane.call("GET", "/api/v1/reports/nis2?format=json", {
      token: plane.tokens.operator,
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    for (const query of [
      "format=docx",
      `since=${UNTIL}&until=${SINCE}`,
      "since=yesterday",
      "since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z",
      "color=blue",
    ]) {
      const res = await plane.call("GET", `/api/v1/reports/nis2?${query}`, { token: plane.tokens.auditor });
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const evidence = await plane.call("GET", "/api/v1/reports/evidence", { token: plane.tokens.operator });
    expect(evidence.status).toBe(403);
  });

  it("hands out the period's evidence with an audit slice that verifies with the bundle's hash", async () => {
    const { status, body } = await plane.json<{
      records: { id: string; sha256: string }[];
      audit: { events: BundleAuditEvent[]; anchorHash: string | null };
    }>("GET", `/api/v1/reports/evidence?since=${SINCE}&until=${UNTIL}`, { token: plane.tokens.auditor });
    expect(status).toBe(200);
    expect(body.records.length).toBeGreaterThan(100);
    expect(body.audit.events.length).toBeGreaterThan(5);
    // The bundle's audit hash is the control plane's (api/services/audit-chain.ts) for every stored event.
    for (const e of auditEventsOf(plane.db, { sinceMs: 0, untilMs: Date.parse(UNTIL) }).events)
      expect(auditEventHash(e), `#${e.seq}`).toBe(e.hash);
  });
});

/** The official OSCAL assessment-results schema (draft-07; its token pattern needs unicode RegExps). */
function oscalValidator(): ((data: unknown) => boolean) & { errors?: unknown } {
  const ajv = new Ajv07({ allErrors: true, strict: false, unicodeRegExp: true });
  (addFormatsModule as unknown as (a: Ajv07) => Ajv07)(ajv);
  const schema = JSON.parse(
    readFileSync(join(ROOT, "../shared/reference-schemas/oscal-assessment-results.schema.json"), "utf8"),
  ) as object;
  return ajv.compile(schema);
}

describe("the CLI on the database file (offline) and on a spawned server", () => {
  const keys = join(dir, "keys");
  const bundlePath = join(dir, "bundle.json");

  it("report nis2 --db writes a JSON twin equal to the API's and a PDF", async () => {
    const json = await nixfleet([
      "report",
      "nis2",
      "--db",
      dbPath,
      "--since",
      SINCE,
      "--until",
      UNTIL,
      "--format",
      "json",
      "--generated-at",
      "2026-11-25T12:00:00Z",
      "--out",
      join(dir, "r.json"),
      "--json",
    ]);
    expect(json.code, json.stderr).toBe(0);
    const twin = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as Nis2ReportModel;
    const api = await plane.json<Nis2ReportModel>(
      "GET",
      `/api/v1/reports/nis2?format=json&since=${SINCE}&until=${UNTIL}`,
      {
        token: plane.tokens.auditor,
      },
    );
    // Same evidence, same conclusions; only where it came from differs.
    expect(twin.points).toEqual(api.body.points);
    expect(twin.annexes).toEqual(api.body.annexes);
    expect(twin.identification.source.kind).toBe("database");
    const again = await nixfleet([
      "report",
      "nis2",
      "--db",
      dbPath,
      "--since",
      SINCE,
      "--until",
      UNTIL,
      "--format",
      "json",
      "--generated-at",
      "2026-11-25T12:00:00Z",
    ]);
    expect(again.stdout).toBe(readFileSync(join(dir, "r.json"), "utf8"));
    const pdf = await nixfleet([
      "report",
      "nis2",
      "--db",
      dbPath,
      "--since",
      SINCE,
      "--until",
      UNTIL,
      "--out",
      join(dir, "r.pdf"),
    ]);
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(readFileSync(join(dir, "r.pdf")).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("report nis2 rejects bad usage with exit 2", async () => {
    expect((await nixfleet(["report", "nis2", "--format", "json"])).code).toBe(2);
    expect(
      (await nixfleet(["report", "nis2", "--db", dbPath, "--facts", "x.json", "--format", "json"])).code,
    ).toBe(2);
    expect(
      (await nixfleet(["report", "nis2", "--db", join(dir, "missing.db"), "--format", "json"])).code,
    ).toBe(2);
    const bad = await nixfleet(["report", "nis2", "--db", dbPath, "--since", "tomorrow", "--format", "json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
  });

  it("evidence keygen, export --db and verify: a clean bundle verifies", async () => {
    const keygen = await nixfleet(["evidence", "keygen", "--out", keys, "--json"]);
    expect(keygen.code, keygen.stderr).toBe(0);
    const exported = await nixfleet([
      "evidence",
      "export",
      "--db",
      dbPath,
      "--since",
      SINCE,
      "--until",
      UNTIL,
      "--out",
      bundlePath,
      "--key",
      join(keys, "evidence-signing.key"),
      "--json",
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout) as { records: number; auditEvents: number };
    expect(summary.records).toBeGreaterThan(100);
    expect(summary.auditEvents).toBeGreaterThan(5);
    const ok = await nixfleet([
      "evidence",
      "verify",
      bundlePath,
      "--pubkey",
      join(keys, "evidence-signing.pub"),
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ok\s+signature/);
    const embedded = await nixfleet(["evidence", "verify", bundlePath, "--json"]);
    expect(embedded.code).toBe(0);
    expect(JSON.parse(embedded.stdout)).toMatchObject({ ok: true, keySource: "embedded" });
    // The report cites exactly the digests the bundle carries.
    const bundle = JSON.parse(readFileSync(bundlePath, "utf8")) as {
      records: { id: string; sha256: string }[];
    };
    const twin = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as Nis2ReportModel;
    const inBundle = new Map(bundle.records.map((r) => [r.id, r.sha256]));
    for (const e of twin.annexes.evidenceIndex)
      expect(inBundle.get(e.evidenceId), e.evidenceId).toBe(e.sha256);
  });

  it("a bundle with one flipped byte anywhere fails verification and names what", async () => {
    const original = readFileSync(bundlePath);
    const pub = join(keys, "evidence-signing.pub");
    // 200 positions spread over the whole file (manifest, signature, records, audit events), in-process.
    const where = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pos = Math.floor(((i + 0.5) * original.length) / 200);
      const damaged = Buffer.from(original);
      damaged[pos] = damaged[pos]! ^ 0x01;
      const file = join(dir, "flipped.json");
      writeFileSync(file, damaged);
      const verdict = verifyBundleFile(file, pub);
      expect(verdict.ok, `byte ${pos} flipped went unnoticed`).toBe(false);
      where.add(verdict.firstFailure!.where.replace(/\[\d+\].*/, "[]"));
    }
    // The failures are located, not just "invalid": the signature, records and audit events were each named.
    expect([...where]).toEqual(expect.arrayContaining(["records[]", "auditEvents[]"]));
    // And through the CLI: exit 1, the first mismatch named on stderr.
    const damaged = Buffer.from(original);
    const at = original.indexOf('"payload"') + 20;
    damaged[at] = damaged[at]! ^ 0x01;
    writeFileSync(join(dir, "flipped.json"), damaged);
    const r = await nixfleet(["evidence", "verify", join(dir, "flipped.json"), "--pubkey", pub]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(/records\[\d+\] \(evd_[0-9A-Z]+\)|\$: .*invalid JSON/);
    // In-process, a changed payload names the record and the hash mismatch.
    const doc = JSON.parse(original.toString("utf8")) as {
      records: { id: string; payload: { status?: string } }[];
    };
    doc.records[2]!.payload = { ...doc.records[2]!.payload, status: "pass-tampered" };
    const verdict = verifyBundle(doc, "in-memory");
    expect(verdict.ok).toBe(false);
    expect(verdict.firstFailure?.where).toBe(`records[2] (${doc.records[2]!.id})`);
  });

  it("verify refuses a bundle signed by another key, and checks single evidence record files", async () => {
    const otherKeys = join(dir, "other-keys");
    expect((await nixfleet(["evidence", "keygen", "--out", otherKeys])).code).toBe(0);
    const wrong = await nixfleet([
      "evidence",
      "verify",
      bundlePath,
      "--pubkey",
      join(otherKeys, "evidence-signing.pub"),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/signature: the manifest is signed by key/);
    const bundle = JSON.parse(readFileSync(bundlePath, "utf8")) as { records: { payload: unknown }[] };
    const single = join(dir, "record.json");
    writeFileSync(single, JSON.stringify(bundle.records[0]));
    const okRecord = await nixfleet([
      "evidence",
      "verify",
      single,
      "--pubkey",
      join(keys, "evidence-signing.pub"),
    ]);
    expect(okRecord.code, okRecord.stdout + okRecord.stderr).toBe(0);
    writeFileSync(single, JSON.stringify({ ...bundle.records[0]!, payload: { forged: true } }));
    const forged = await nixfleet(["evidence", "verify", single]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/does not match its sha256/);
  });

  it("evidence export --format oscal validates against the official OSCAL schema", async () => {
    const out = join(dir, "oscal.json");
    const r = await nixfleet([
      "evidence",
      "export",
      "--db",
      dbPath,
      "--since",
      SINCE,
      "--until",
      UNTIL,
      "--format",
      "oscal",
      "--out",
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as {
      "assessment-results": { results: { observations: unknown[] }[] };
    };
    const validateOscal = oscalValidator();
    expect(validateOscal(doc), JSON.stringify(validateOscal.errors)?.slice(0, 500)).toBe(true);
    expect(doc["assessment-results"].results[0]!.observations.length).toBeGreaterThan(100);
  });

  describe("against a spawned server", () => {
    let server: SpawnedServer;
    let token = "";
    beforeAll(async () => {
      const created = await nixfleet(["token", "create", "--db", dbPath, "--role", "auditor", "--json"]);
      expect(created.code, created.stderr).toBe(0);
      token = (JSON.parse(created.stdout) as { token: string }).token;
      server = await spawnServer(["--listen", "127.0.0.1:0", "--db", dbPath]);
    }, 60_000);
    afterAll(async () => {
      expect(await server.stop()).toBe(0);
    });

    it("report nis2 --server renders the server's view model; evidence export --server verifies", async () => {
      const env = { NIXFLEET_URL: server.url, NIXFLEET_TOKEN: token };
      const pdf = await nixfleet(
        [
          "report",
          "nis2",
          "--server",
          server.url,
          "--since",
          SINCE,
          "--until",
          UNTIL,
          "--out",
          join(dir, "remote.pdf"),
          "--json",
        ],
        env,
      );
      expect(pdf.code, pdf.stderr).toBe(0);
      expect(JSON.parse(pdf.stdout)).toMatchObject({ format: "pdf", hosts: 3 });
      const out = join(dir, "remote-bundle.json");
      const exported = await nixfleet(
        [
          "evidence",
          "export",
          "--server",
          server.url,
          "--since",
          SINCE,
          "--until",
          UNTIL,
          "--out",
          out,
          "--key",
          join(keys, "evidence-signing.key"),
        ],
        env,
      );
      expect(exported.code, exported.stderr).toBe(0);
      expect(
        (await nixfleet(["evidence", "verify", out, "--pubkey", join(keys, "evidence-signing.pub")])).code,
      ).toBe(0);
      const denied = await nixfleet(["report", "nis2", "--server", server.url, "--format", "json"], {
        ...env,
        NIXFLEET_TOKEN: "nft_nope",
      });
      expect(denied.code).toBe(1);
    });
  });
});
