/**
 * The simulated driver on real files: generations as directories in a temp "store", nix-env's profile layout,
 * activation scripts that really run, and the same flock(1) switch lock as the Nix drivers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectRuntimeReport } from "../collectors/index.js";
import { loadAgentConfig, resolveDefaults } from "../config.js";
import { createDriver } from "./index.js";
import { SimulatedDriver } from "./simulated.js";

const made: string[] = [];
const holders: ChildProcess[] = [];
afterAll(() => {
  for (const h of holders) h.stdin?.end();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

interface Host {
  root: string;
  store: string;
  profile: string;
  link: string;
  lock: string;
  marker: string;
  driver: SimulatedDriver;
}

function host(): Host {
  const root = mkdtempSync(join(tmpdir(), "nixfleet-simulated-"));
  made.push(root);
  const h = {
    root,
    store: join(root, "store"),
    profile: join(root, "profiles", "system"),
    link: join(root, "run", "current-system"),
    lock: join(root, "run", "switch.lock"),
    marker: join(root, "activations.log"),
  };
  mkdirSync(h.store, { recursive: true });
  return {
    ...h,
    driver: new SimulatedDriver({
      platform: "nixos",
      storeDir: h.store,
      profilePath: h.profile,
      currentSystemLink: h.link,
      activationCommand: ["{path}/bin/switch-to-configuration", "switch"],
      rollbackActivationCommand: ["{path}/bin/switch-to-configuration", "switch"],
      activationTimeoutMs: 10_000,
      switchLockPath: h.lock,
      env: process.env,
    }),
  };
}

/** A system directory like the demo's: switch-to-configuration logs its release and argument. */
function system(h: Host, release: string, options: { activationFails?: boolean } = {}): string {
  const name = `${release.padEnd(32, "0").slice(0, 32)}-nixos-system-web-01-${release}`;
  const dir = join(h.store, name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(
    join(dir, "bin", "switch-to-configuration"),
    `#!/bin/sh\necho "${release} $*" >> ${h.marker}\n${options.activationFails ? 'echo "unit nginx.service failed" >&2; exit 4\n' : ""}`,
  );
  chmodSync(join(dir, "bin", "switch-to-configuration"), 0o755);
  return `/nix/store/${name}`;
}

const activations = (h: Host) =>
  existsSync(h.marker) ? readFileSync(h.marker, "utf8").trim().split("\n") : [];

describe("simulated driver", () => {
  it("set: numbered generation links as nix-env writes them, reusing the newest when it holds the path", () => {
    const h = host();
    const v1 = system(h, "v1");
    const v2 = system(h, "v2");
    expect(h.driver.profileStorePath()).toBeNull();
    expect(h.driver.generations()).toEqual([]);
    expect(h.driver.setProfile(v1)).toBe(1);
    expect(h.driver.setProfile(v1)).toBe(1);
    expect(h.driver.setProfile(v2)).toBe(2);
    expect(readlinkSync(h.profile)).toBe("system-2-link");
    expect(readlinkSync(`${h.profile}-1-link`)).toBe(join(h.store, v1.slice("/nix/store/".length)));
    expect(h.driver.profileStorePath()).toBe(v2);
    expect(h.driver.generations()).toEqual([
      { generation: 1, storePath: v1, current: false },
      { generation: 2, storePath: v2, current: true },
    ]);
    // nothing was activated by set alone
    expect(h.driver.currentSystem()).toBeNull();
    expect(activations(h)).toEqual([]);
  });

  it("ensurePresent finds a generation's directory and says it is simulated; a missing one fails", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const present = await h.driver.ensurePresent(v1, null);
    expect(present).toMatchObject({ ok: true, fetched: false });
    expect(present.ok && present.detail).toMatch(/^simulated driver \(no Nix\)/);
    const missing = await h.driver.ensurePresent(
      `/nix/store/${"x".repeat(32)}-gone`,
      "https://cache.example",
    );
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.reason).toMatch(
      /not in the simulated store .*cannot fetch from the binary cache/,
    );
  });

  it("switch: profile and current-system point at the target and its activation script runs", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const v2 = system(h, "v2");
    expect(await h.driver.switchTo(v1)).toMatchObject({ ok: true });
    const switched = await h.driver.switchTo(v2);
    expect(switched.ok).toBe(true);
    expect(switched.ok && switched.detail).toMatch(/^simulated switch \(no Nix\): .* generation 2 /);
    expect(h.driver.currentSystem()).toBe(v2);
    expect(h.driver.profileStorePath()).toBe(v2);
    expect(readlinkSync(h.link)).toBe(join(h.store, v2.slice("/nix/store/".length)));
    expect(activations(h)).toEqual(["v1 switch", "v2 switch"]);
    expect(h.driver.generations().map((g) => [g.generation, g.current])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it("rollback: back to the previous generation, activated again", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const v2 = system(h, "v2");
    await h.driver.switchTo(v1);
    await h.driver.switchTo(v2);
    const back = await h.driver.rollbackTo(v1);
    expect(back).toMatchObject({ ok: true });
    expect(back.ok && back.detail).toMatch(/^simulated rollback \(no Nix\)/);
    expect(readlinkSync(h.profile)).toBe("system-1-link");
    expect(h.driver.profileStorePath()).toBe(v1);
    expect(h.driver.currentSystem()).toBe(v1);
    expect(activations(h)).toEqual(["v1 switch", "v2 switch", "v1 switch"]);
    // the next switch is a new generation after the newest, as with nix-env
    const v3 = system(h, "v3");
    await h.driver.switchTo(v3);
    expect(readlinkSync(h.profile)).toBe("system-3-link");
  });

  it("a failed activation reports a changed profile, so the agent rolls back", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const bad = system(h, "v2", { activationFails: true });
    await h.driver.switchTo(v1);
    const failed = await h.driver.switchTo(bad);
    expect(failed).toMatchObject({ ok: false, refused: false, changedProfile: true });
    expect(!failed.ok && failed.reason).toMatch(
      /simulated activation failed: .*exit 4.*nginx\.service failed/s,
    );
    expect(await h.driver.rollbackTo(v1)).toMatchObject({ ok: true });
    expect(h.driver.currentSystem()).toBe(v1);
  });

  it("refuses a missing path, a path outside /nix/store and a directory that is not a system", async () => {
    const h = host();
    const v1 = system(h, "v1");
    await h.driver.switchTo(v1);
    const before = readlinkSync(h.profile);
    const missing = await h.driver.switchTo(`/nix/store/${"y".repeat(32)}-nixos-system-web-01-v9`);
    expect(missing).toMatchObject({ ok: false, refused: true, changedProfile: false });
    expect(!missing.ok && missing.reason).toMatch(/not in the simulated store/);
    expect(await h.driver.switchTo(join(h.store, "v1"))).toMatchObject({ ok: false, refused: true });
    expect(await h.driver.switchTo("/nix/store/../etc")).toMatchObject({ ok: false, refused: true });
    mkdirSync(join(h.store, `${"z".repeat(32)}-hello-2.12`));
    const notSystem = await h.driver.switchTo(`/nix/store/${"z".repeat(32)}-hello-2.12`);
    expect(!notSystem.ok && notSystem.reason).toMatch(
      /is not a nixos system: it has no bin\/switch-to-configuration/,
    );
    expect(readlinkSync(h.profile)).toBe(before);
    expect(h.driver.currentSystem()).toBe(v1);
    expect(activations(h)).toEqual(["v1 switch"]);
  });

  it("respects the switch lock held by another process (flock), changing nothing", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const v2 = system(h, "v2");
    await h.driver.switchTo(v1);
    // another switch: holds the lock for as long as its stdin is open
    const holder = spawn("flock", [h.lock, "sh", "-c", "echo held; exec cat >/dev/null"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    holders.push(holder);
    await new Promise<void>((resolveHeld) =>
      holder.stdout?.on("data", (c: Buffer) => {
        if (c.toString().includes("held")) resolveHeld();
      }),
    );
    const refused = await h.driver.switchTo(v2);
    expect(refused).toMatchObject({ ok: false, refused: true, changedProfile: false });
    expect(!refused.ok && refused.reason).toMatch(/another switch holds the switch lock/);
    expect(await h.driver.rollbackTo(v1)).toMatchObject({ ok: false });
    expect(h.driver.profileStorePath()).toBe(v1);
    expect(activations(h)).toEqual(["v1 switch"]);
    const gone = new Promise<void>((r) => holder.once("close", () => r()));
    holder.stdin?.end();
    await gone;
    expect(await h.driver.switchTo(v2)).toMatchObject({ ok: true });
  });

  it("is chosen only by driver: simulated, which needs a store directory, and marks the runtime report", async () => {
    const h = host();
    const v1 = system(h, "v1");
    const file = join(h.root, "agent.json");
    const base = {
      machineId: "web-01",
      controlPlaneUrl: "http://127.0.0.1:1",
      token: "t",
      profilePath: h.profile,
      currentSystemLink: h.link,
      switchLockPath: h.lock,
      rootPath: h.root,
    };
    writeFileSync(file, JSON.stringify({ ...base, driver: "simulated" }));
    expect(() => loadAgentConfig({ file })).toThrow(/simulatedStoreDir.*required when driver is simulated/);
    writeFileSync(file, JSON.stringify({ ...base, driver: "simulated", simulatedStoreDir: h.store }));
    const config = loadAgentConfig({ file });
    expect(config.activationCommand).toEqual(["{path}/bin/switch-to-configuration", "switch"]);
    const driver = createDriver(config, process.env);
    expect(driver).toBeInstanceOf(SimulatedDriver);
    expect(await driver.switchTo(v1)).toMatchObject({ ok: true });
    const report = await collectRuntimeReport(config, driver, process.env, new Date());
    expect(report.driver).toBe("simulated");
    expect(report.currentGeneration).toEqual({ storePath: v1, generation: 1 });
    // without the setting it is never the simulated driver, even where Nix is absent
    const nix = resolveDefaults({ machineId: "web-01", controlPlaneUrl: "http://127.0.0.1:1" });
    expect(createDriver(nix, process.env)).not.toBeInstanceOf(SimulatedDriver);
    expect(nix.driver).toBe("nix");
    const plain = await collectRuntimeReport({ ...config, driver: "nix" }, driver, process.env, new Date());
    expect(plain.driver).toBeUndefined();
  });
});
