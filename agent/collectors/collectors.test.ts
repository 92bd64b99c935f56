import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validate } from "../../schemas/registry.js";
import { makeTestMachine, setUnitState, testAgentConfig } from "../../test/agent/fixtures.js";
import { createDriver } from "../drivers/index.js";
import { collectRuntimeReport } from "./index.js";
import { collectBootId, collectKernelCmdline, collectMounts, collectSysctl } from "./proc.js";
import { decodeIpv4, decodeIpv6, parseProcNet } from "./sockets.js";

describe("runtime collectors on a fake root", () => {
  const machine = makeTestMachine("nixfleet-collect-");

  it("reads sysctl keys as dotted names, all or selected", () => {
    const all = collectSysctl(machine.root, null);
    expect(all["kernel.kptr_restrict"]).toBe("2");
    expect(all["net.ipv4.ip_local_port_range"]).toBe("32768\t60999");
    expect(collectSysctl(machine.root, ["kernel.dmesg_restrict", "kernel.absent"])).toEqual({
      "kernel.dmesg_restrict": "1",
    });
  });

  it("splits the kernel command line honouring quotes", () => {
    expect(collectKernelCmdline(machine.root)).toEqual([
      "BOOT_IMAGE=/boot/vmlinuz",
      "init=/nix/store/x-nixos/init",
      "lockdown=confidentiality",
      "quiet",
      "acpi_osi=Windows 2020",
    ]);
  });

  it("parses mounts and decodes octal escapes", () => {
    const mounts = collectMounts(machine.root);
    expect(mounts).toContainEqual({
      device: "tmpfs",
      mountPoint: "/tmp",
      fsType: "tmpfs",
      options: ["rw", "nosuid", "nodev", "noexec"],
    });
    expect(mounts?.map((m) => m.mountPoint)).toContain("/mnt/with space");
  });

  it("decodes /proc/net addresses (little-endian words) and keeps only listeners", () => {
    expect(decodeIpv4("0100007F")).toBe("127.0.0.1");
    expect(decodeIpv6("00000000000000000000000001000000")).toBe("::1");
    expect(decodeIpv6("0000000000000000FFFF00000100007F")).toBe("::ffff:127.0.0.1");
    expect(decodeIpv6("B80D0120000000000000000001000000")).toBe("2001:db8::1");
    const header = "sl local rem st\n";
    expect(
      parseProcNet(
        `${header}0: 0100007F:1F90 00000000:0000 0A x\n1: 0100007F:1F90 0100007F:C350 01 x\n`,
        "tcp",
      ),
    ).toEqual([{ protocol: "tcp", address: "127.0.0.1", port: 8080 }]);
  });

  it("builds a schema-valid runtime report with sockets, failed units, boot id and generations", async () => {
    setUnitState(machine, "backup.service", "failed");
    setUnitState(machine, "sshd.service", "active");
    const config = testAgentConfig(machine, "http://127.0.0.1:1");
    const report = await collectRuntimeReport(
      config,
      createDriver(config, machine.env),
      machine.env,
      new Date("2026-11-25T10:00:00Z"),
    );
    validate("runtime-report", report);
    expect(report.bootId).toBe(collectBootId(machine.root));
    expect(report.failedUnits).toEqual(["backup.service"]);
    expect(report.listeningSockets).toEqual([
      { protocol: "tcp", address: "0.0.0.0", port: 22 },
      { protocol: "tcp", address: "127.0.0.1", port: 8080 },
      { protocol: "tcp6", address: "::", port: 22 },
      { protocol: "tcp6", address: "::1", port: 631 },
      { protocol: "udp", address: "127.0.0.53", port: 53 },
    ]);
    expect(report.sysctl?.["kernel.kptr_restrict"]).toBe("2");
    // No profile yet on this machine: no generations are claimed.
    expect(report.generations).toBeUndefined();
  });

  it("omits what it cannot read instead of reporting it empty", async () => {
    const empty = mkdtempSync(join(tmpdir(), "nixfleet-emptyroot-"));
    writeFileSync(join(empty, "placeholder"), "");
    const config = testAgentConfig({ ...machine, root: empty }, "http://127.0.0.1:1");
    const report = await collectRuntimeReport(
      config,
      createDriver(config, { PATH: "/nonexistent" }),
      { PATH: "/nonexistent" },
      new Date(),
    );
    expect(report.mounts).toBeUndefined();
    expect(report.listeningSockets).toBeUndefined();
    expect(report.failedUnits).toBeUndefined();
    expect(report.bootId).toBeUndefined();
  });
});
