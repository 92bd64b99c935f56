/**
 * `nixfleet ca issue` from many processes at once on one CA, as a provisioning script does: the CA index
 * (index.json) is read, extended and written under a lock, so no issued certificate is lost from it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nixfleet, tempDir } from "./cli-helpers.js";

interface Index {
  issued: { serial: string; machineId?: string; revokedAt?: string }[];
}

const readIndex = (dir: string) => JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Index;

describe("the CA index under concurrent nixfleet ca commands", () => {
  it("keeps every certificate issued by twelve processes at once", async () => {
    const dir = join(tempDir("nixfleet-ca-"), "ca");
    expect((await nixfleet(["ca", "init", "--dir", dir, "--json"])).code).toBe(0);
    const machines = Array.from({ length: 12 }, (_, i) => `m-${String(i).padStart(2, "0")}`);
    const results = await Promise.all(
      machines.map((m) => nixfleet(["ca", "issue", "--dir", dir, "--machine", m, "--json"])),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const index = readIndex(dir);
    expect(index.issued.map((e) => e.machineId).sort()).toEqual(machines);
    expect(new Set(index.issued.map((e) => e.serial)).size).toBe(12);
  }, 120_000);

  it("takes over a lock whose owner process is gone, and names a corrupt index instead of crashing", async () => {
    const dir = join(tempDir("nixfleet-ca-"), "ca");
    expect((await nixfleet(["ca", "init", "--dir", dir, "--json"])).code).toBe(0);
    // a pid far above any kernel's pid_max: no such process
    writeFileSync(join(dir, "index.json.lock"), "99999999");
    const issued = await nixfleet(["ca", "issue", "--dir", dir, "--machine", "web-01", "--json"]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(readIndex(dir).issued.map((e) => e.machineId)).toEqual(["web-01"]);

    writeFileSync(join(dir, "index.json"), '{"issued": [');
    const broken = await nixfleet(["ca", "issue", "--dir", dir, "--machine", "web-02", "--json"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${join(dir, "index.json")} is not valid JSON`);
  }, 60_000);
});
