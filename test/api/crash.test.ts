/**
 * Crash safety: stream agent reports and evidence batches at a spawned server over real HTTP, kill -9 it mid-stream,
 * restart it on the same database file: every report and evidence item acknowledged with 2xx is there exactly once,
 * resending the unacknowledged batches (as the agent's outbox does) stores each remaining item once, and the
 * audit chain still verifies.
 */
import { request } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { nixfleet, spawnServer, tempDir } from "./cli-helpers.js";

function post(url: string, token: string, body: unknown): Promise<number> {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("error", () => resolve(0)); // the server died under us: not acknowledged
    req.end(payload);
  });
}

describe("crash during a stream of agent reports", () => {
  it("keeps every acknowledged report and evidence item exactly once across kill -9", async () => {
    const dir = tempDir("nixfleet-crash-");
    const db = join(dir, "state.db");
    const admin = JSON.parse(
      (await nixfleet(["token", "create", "--db", db, "--role", "admin", "--json"])).stdout,
    ).token as string;
    let server = await spawnServer(["--listen", "127.0.0.1:0", "--db", db]);
    expect(await post(`${server.url}/api/v1/machines`, admin, { id: "crash-1" })).toBe(201);
    const agentToken = JSON.parse(
      (await nixfleet(["token", "create", "--db", db, "--role", "agent", "--machine", "crash-1", "--json"]))
        .stdout,
    ).token as string;

    const ackedReports: string[] = [];
    const ackedKeys: string[] = [];
    const unacked: { keys: string[]; body: unknown }[] = [];
    let killed = false;
    let batchNo = 0;
    const stream = async (lane: number) => {
      while (!killed) {
        const n = batchNo++;
        const at = new Date().toISOString();
        const keys = Array.from({ length: 50 }, (_, i) => `lane${lane}-batch${n}-item${i}`);
        const body = {
          machineId: "crash-1",
          items: keys.map((k) => ({
            idempotencyKey: k,
            kind: "runtime-report",
            collectedAt: at,
            payload: { machineId: "crash-1", collectedAt: at },
          })),
        };
        const [reportStatus, evidenceStatus] = await Promise.all([
          post(`${server.url}/api/v1/agents/crash-1/report`, agentToken, {
            machineId: "crash-1",
            state: "idle",
            reason: `r-${lane}-${n}`,
            reportedAt: at,
          }),
          post(`${server.url}/api/v1/agents/crash-1/evidence`, agentToken, body),
        ]);
        if (reportStatus === 202) ackedReports.push(`r-${lane}-${n}`);
        if (evidenceStatus === 200) ackedKeys.push(...keys);
        else unacked.push({ keys, body });
        if (reportStatus === 0 || evidenceStatus === 0) return;
      }
    };
    const lanes = [0, 1, 2, 3].map(stream);
    // let the stream run, then kill -9 while requests are in flight
    while (ackedKeys.length < 2000) await new Promise((r) => setTimeout(r, 20));
    server.child.kill("SIGKILL");
    killed = true;
    await Promise.all(lanes);
    await new Promise((r) => server.child.once("exit", r));
    expect(ackedKeys.length).toBeGreaterThanOrEqual(2000);

    server = await spawnServer(["--listen", "127.0.0.1:0", "--db", db]);
    let checked = false;
    try {
      const read = new Database(db, { readonly: true });
      const countKey = read.prepare(
        "SELECT count(*) AS n FROM evidence_items WHERE machine_id = 'crash-1' AND idempotency_key = ?",
      );
      for (const key of ackedKeys) expect((countKey.get(key) as { n: number }).n, key).toBe(1);
      const countReport = read.prepare("SELECT count(*) AS n FROM agent_reports WHERE reason = ?");
      for (const r of ackedReports) expect((countReport.get(r) as { n: number }).n, r).toBe(1);

      // the agent resends what was never acknowledged; partially stored batches are deduplicated
      for (const batch of unacked)
        expect(await post(`${server.url}/api/v1/agents/crash-1/evidence`, agentToken, batch.body)).toBe(200);
      const allKeys = [...ackedKeys, ...unacked.flatMap((b) => b.keys)];
      const total = read
        .prepare("SELECT count(*) AS n FROM evidence_items WHERE machine_id = 'crash-1'")
        .get() as { n: number };
      expect(total.n).toBe(new Set(allKeys).size);
      read.close();
      checked = true;
    } finally {
      // never leave a server behind when an expectation fails
      if (!checked) server.child.kill("SIGTERM");
    }
    expect(await server.stop()).toBe(0);
    const verify = await nixfleet(["audit", "verify", "--db", db, "--json"]);
    expect(verify.code, verify.stdout).toBe(0);
  }, 240_000);
});
