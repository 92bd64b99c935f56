/** Runtime checks on agent observations, drift between facts and the running machine, and the runners. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import fleet from "../examples/fleet/fleet.json" with { type: "json" };
import webRuntime from "../examples/runtime/web-01.json" with { type: "json" };
import { check } from "../schemas/registry.js";
import { catalog, detectDrift, evaluateHost, evaluateRuntime, getControl } from "./index.js";
import type { Control, Facts, RuntimeReport } from "./types.js";

const hardened = (fleet as unknown as Record<string, Facts>)["web-01"]!;

/** What an agent on web-01 would report when the machine matches its configuration. */
function healthyReport(): RuntimeReport {
  const sysctl: Record<string, string> = {};
  for (const [k, v] of Object.entries(
    (hardened.boot as { kernel: { sysctl: Record<string, unknown> } }).kernel.sysctl,
  ))
    sysctl[k] = typeof v === "boolean" ? (v ? "1" : "0") : String(v);
  sysctl["kernel.modules_disabled"] = "1";
  return {
    machineId: "mch_web01",
    hostName: "web-01",
    platform: "nixos",
    collectedAt: "2026-11-25T12:30:00Z",
    currentGeneration: { storePath: hardened.nixfleet.meta.toplevel!, generation: 42 },
    sysctl,
    kernelCmdline: [
      "initrd=\\EFI\\nixos\\initrd.efi",
      "init=/nix/store/x-nixos-system/init",
      ...(hardened.boot as { kernelParams: string[] }).kernelParams,
    ],
    mounts: [
      { device: "/dev/mapper/cryptroot", mountPoint: "/", fsType: "ext4", options: ["rw", "relatime"] },
      {
        device: "/dev/nvme0n1p1",
        mountPoint: "/boot",
        fsType: "vfat",
        options: ["rw", "nosuid", "nodev", "noexec", "fmask=0077"],
      },
      {
        device: "/dev/mapper/vg-home",
        mountPoint: "/home",
        fsType: "ext4",
        options: ["rw", "nosuid", "nodev", "noexec"],
      },
      {
        device: "/dev/mapper/vg-log",
        mountPoint: "/var/log",
        fsType: "ext4",
        options: ["rw", "nosuid", "nodev", "noexec"],
      },
      { device: "tmpfs", mountPoint: "/tmp", fsType: "tmpfs", options: ["rw", "nosuid", "nodev", "noexec"] },
    ],
    listeningSockets: [
      { protocol: "tcp", address: "0.0.0.0", port: 22, process: "sshd" },
      { protocol: "tcp6", address: "::", port: 443, process: "nginx" },
      { protocol: "tcp", address: "127.0.0.1", port: 5000, process: "app" },
      { protocol: "udp", address: "0.0.0.0", port: 68, process: "dhcpcd" },
    ],
    units: {
      "firewall.service": "active",
      "auditd.service": "active",
      "apparmor.service": "active",
      "systemd-timesyncd.service": "active",
    },
    setuidBinaries: ["/run/wrappers/bin/sudo", "/run/wrappers/bin/su", "/run/wrappers/bin/unix_chkpwd"],
  };
}

function runtimeOf(id: string, report: RuntimeReport, facts: Facts = hardened) {
  return evaluateRuntime(report, [getControl(id)!], facts)[0]!;
}

describe("runtime checks", () => {
  it("a healthy web-01 passes every runtime check, each result valid", () => {
    const results = evaluateRuntime(healthyReport(), catalog, hardened);
    expect(results.length).toBe(catalog.filter((c) => c.runtime).length);
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const r of results) {
      expect(r.status, `${r.controlId}: ${r.message}`).toBe("pass");
      expect(r.source).toBe("runtime");
      expect(r.host).toBe("web-01");
      expect(r.collectedAt).toBe("2026-11-25T12:30:00Z");
      expect(check("control-result", r)).toEqual([]);
    }
  });

  const failures: Array<[string, (r: RuntimeReport) => void, unknown]> = [
    [
      "sysctl-kernel-hardening",
      (r) => {
        r.sysctl!["kernel.kptr_restrict"] = "0";
      },
      { "kernel.kptr_restrict": "0" },
    ],
    [
      "sysctl-yama-ptrace",
      (r) => {
        delete r.sysctl!["kernel.yama.ptrace_scope"];
      },
      { "kernel.yama.ptrace_scope": null },
    ],
    [
      "kernel-iommu",
      (r) => {
        r.kernelCmdline = ["quiet"];
      },
      { iommu: null },
    ],
    [
      "kernel-lockdown",
      (r) => {
        r.kernelCmdline = ["lockdown=none"];
      },
      { lockdown: null },
    ],
    [
      "kernel-modules-locked",
      (r) => {
        r.sysctl!["kernel.modules_disabled"] = "0";
      },
      "0",
    ],
    [
      "mount-options",
      (r) => {
        r.mounts![2]!.options = ["rw", "nodev"];
      },
      { "/home": { missing: ["nosuid", "noexec"] } },
    ],
    [
      "firewall-enabled",
      (r) => {
        r.units!["firewall.service"] = "failed";
      },
      "failed",
    ],
    [
      "auditd-enabled",
      (r) => {
        r.units!["auditd.service"] = "inactive";
      },
      "inactive",
    ],
    [
      "mac-apparmor",
      (r) => {
        r.units!["apparmor.service"] = "inactive";
      },
      "inactive",
    ],
    [
      "time-sync",
      (r) => {
        r.units!["systemd-timesyncd.service"] = "inactive";
      },
      { "systemd-timesyncd.service": "inactive" },
    ],
    [
      "setuid-wrappers-minimal",
      (r) => {
        r.setuidBinaries!.push("/usr/local/bin/backdoor");
      },
      { unexpected: ["/usr/local/bin/backdoor"] },
    ],
    [
      "firewall-listening-services",
      (r) =>
        void r.listeningSockets!.push({ protocol: "tcp", address: "0.0.0.0", port: 6379, process: "redis" }),
      { notOpened: ["tcp 0.0.0.0:6379 (redis)"], openedWithoutListener: [] },
    ],
    [
      "firewall-listening-services",
      (r) => {
        r.listeningSockets = r.listeningSockets!.filter((s) => s.port !== 443);
      },
      { notOpened: [], openedWithoutListener: ["tcp 443"] },
    ],
  ];
  for (const [id, breakIt, observed] of failures)
    it(`${id} fails on a machine that deviates`, () => {
      const report = healthyReport();
      breakIt(report);
      const r = runtimeOf(id, report);
      expect(r.status, r.message).toBe("fail");
      if (typeof observed === "object") expect(r.observed).toMatchObject(observed as object);
      else expect(r.observed).toEqual(observed);
      expect(r.expected).not.toBeNull();
    });

  it("a report without the needed section is an error, never a pass", () => {
    const report: RuntimeReport = { machineId: "mch_x", collectedAt: "2026-11-25T12:30:00Z" };
    for (const r of evaluateRuntime(report, catalog, hardened)) {
      expect(r.status, r.controlId).toBe("error");
      expect(check("control-result", r)).toEqual([]);
    }
  });

  it("a darwin report marks NixOS-only runtime checks not-applicable", () => {
    const r = runtimeOf("auditd-enabled", {
      machineId: "mch_mac",
      platform: "darwin",
      collectedAt: "2026-11-25T12:30:00Z",
    });
    expect(r.status).toBe("not-applicable");
  });
});

describe("detectDrift", () => {
  it("no drift on a machine that matches its facts", () => {
    const results = detectDrift(hardened, healthyReport());
    expect(results.map((r) => r.controlId)).toEqual([
      "drift.generation",
      "drift.kernel-params",
      "drift.mounts",
      "drift.sysctl",
    ]);
    for (const r of results) {
      expect(r.status, `${r.controlId}: ${r.message}`).toBe("pass");
      expect(check("control-result", r)).toEqual([]);
    }
  });

  it("reports what differs: generation, sysctl, kernel parameters, mounts", () => {
    const report = healthyReport();
    report.currentGeneration = {
      storePath: "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-web-01-old",
    };
    report.sysctl!["kernel.kptr_restrict"] = "1";
    report.sysctl!["fs.protected_symlinks"] = "0";
    delete report.sysctl!["net.ipv4.tcp_rfc1337"];
    report.kernelCmdline = report.kernelCmdline!.filter((p) => p !== "lockdown=integrity");
    report.mounts = report.mounts!.filter((m) => m.mountPoint !== "/var/log");
    const byId = Object.fromEntries(detectDrift(hardened, report).map((r) => [r.controlId, r]));
    expect(byId["drift.generation"]).toMatchObject({
      status: "fail",
      severity: "high",
      expected: hardened.nixfleet.meta.toplevel,
    });
    expect(byId["drift.sysctl"]).toMatchObject({
      status: "fail",
      observed: {
        differing: { "kernel.kptr_restrict": "1", "fs.protected_symlinks": "0" },
        unobserved: ["net.ipv4.tcp_rfc1337"],
      },
      expected: { "kernel.kptr_restrict": "2", "fs.protected_symlinks": "1" },
    });
    expect(byId["drift.kernel-params"]).toMatchObject({
      status: "fail",
      observed: { missing: ["lockdown=integrity"] },
    });
    expect(byId["drift.mounts"]).toMatchObject({ status: "fail", observed: { "/var/log": "not mounted" } });
  });

  it("families without data on one side are not-applicable", () => {
    const results = detectDrift(hardened, { machineId: "mch_x", collectedAt: "2026-11-25T12:30:00Z" });
    expect(results.every((r) => r.status === "not-applicable")).toBe(true);
  });
});

describe("evaluateHost", () => {
  it("turns a throwing check into an error result with the message", () => {
    const boom: Control = {
      ...getControl("firewall-enabled")!,
      id: "test-throws",
      eval() {
        throw new Error("facts shape surprised me");
      },
    };
    const [r] = evaluateHost("web-01", hardened, [boom]);
    expect(r).toMatchObject({
      controlId: "test-throws",
      status: "error",
      message: "check failed: facts shape surprised me",
      observed: null,
    });
    expect(check("control-result", r)).toEqual([]);
  });

  it("never throws and always yields schema-valid results, whatever the facts contain", () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const tree = (keys: string[]) =>
      fc.dictionary(fc.constantFrom(...keys), fc.oneof(json, fc.dictionary(fc.string(), json)), {
        maxKeys: keys.length,
      });
    const factsArb = fc.record({
      nixfleet: fc.record({
        meta: fc.record(
          {
            hostName: fc.constantFrom("h1", "web-01", "a.b"),
            system: fc.constantFrom("x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"),
            platform: fc.constantFrom("nixos", "darwin"),
            lockAgeDays: fc.oneof(fc.nat(400), fc.double()),
            tags: fc.array(fc.string()),
            collectedAt: fc.oneof(fc.constant("2026-11-25T12:00:00Z"), fc.string()),
          },
          { requiredKeys: ["hostName", "system"] },
        ),
      }),
      services: tree(["openssh", "journald", "restic", "borgbackup", "timesyncd", "avahi"]),
      security: tree(["sudo", "sudo-rs", "wrappers", "pam", "audit", "auditd", "apparmor", "loginDefs"]),
      boot: tree(["kernel", "kernelParams", "loader", "initrd", "tmp", "lanzaboote"]),
      users: tree(["users", "mutableUsers"]),
      networking: tree(["firewall", "enableIPv6", "applicationFirewall"]),
      fileSystems: fc.dictionary(fc.constantFrom("/", "/home", "/tmp", "/boot"), json),
      swapDevices: json,
      systemd: tree(["services"]),
      nix: tree(["settings"]),
      environment: tree(["systemPackages"]),
      system: tree(["defaults", "autoUpgrade"]),
    });
    fc.assert(
      fc.property(factsArb, (facts) => {
        const results = evaluateHost(facts.nixfleet.meta.hostName, facts as unknown as Facts, catalog);
        expect(results).toHaveLength(catalog.length);
        for (const r of results) {
          const issues = check("control-result", r);
          if (issues.length > 0) throw new Error(`${r.controlId}: ${JSON.stringify(issues)}`);
          // Controls read facts defensively: odd shapes give fail/error outcomes, never an exception.
          if (r.message.startsWith("check failed")) throw new Error(`${r.controlId} threw: ${r.message}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("runtime runners on arbitrary reports", () => {
  it("evaluateRuntime and detectDrift never throw and always yield schema-valid results", () => {
    const str = fc.string({ maxLength: 12 });
    const reportArb = fc.record(
      {
        machineId: fc.constantFrom("mch_a", "web-01"),
        collectedAt: fc.constant("2026-11-25T12:30:00Z"),
        hostName: fc.constantFrom("web-01", ""),
        platform: fc.constantFrom("nixos" as const, "darwin" as const),
        currentGeneration: fc.record({ storePath: str }),
        sysctl: fc.dictionary(
          fc.constantFrom("kernel.kptr_restrict", "fs.protected_symlinks", "kernel.modules_disabled", "x"),
          str,
        ),
        kernelCmdline: fc.array(fc.constantFrom("iommu=force", "lockdown=integrity", "quiet", "pti=on")),
        mounts: fc.array(
          fc.record({
            mountPoint: fc.constantFrom("/", "/home", "/boot", "/tmp", "/var/log"),
            fsType: fc.constantFrom("ext4", "tmpfs"),
            options: fc.array(fc.constantFrom("rw", "nosuid", "nodev", "noexec", "ro")),
          }),
        ),
        listeningSockets: fc.array(
          fc.record({
            protocol: fc.constantFrom("tcp" as const, "tcp6" as const, "udp" as const, "udp6" as const),
            address: fc.constantFrom("0.0.0.0", "::", "127.0.0.1", "10.0.0.5"),
            port: fc.integer({ min: 0, max: 65535 }),
          }),
        ),
        units: fc.dictionary(
          fc.constantFrom("firewall.service", "auditd.service", "apparmor.service", "chronyd.service"),
          fc.constantFrom("active", "failed", "inactive"),
        ),
        setuidBinaries: fc.array(
          fc.constantFrom("/run/wrappers/bin/sudo", "/usr/bin/x", "/run/wrappers/bin/evil"),
        ),
      },
      { requiredKeys: ["machineId", "collectedAt"] },
    );
    fc.assert(
      fc.property(reportArb, fc.boolean(), (report, withFacts) => {
        const results = [
          ...evaluateRuntime(report, catalog, withFacts ? hardened : undefined),
          ...detectDrift(hardened, report),
        ];
        for (const r of results) {
          const issues = check("control-result", r);
          if (issues.length > 0) throw new Error(`${r.controlId}: ${JSON.stringify(issues)}`);
          if (r.message.startsWith("check failed")) throw new Error(`${r.controlId} threw: ${r.message}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("examples/runtime/web-01.json", () => {
  it("is a valid runtime report in which one hand-made sysctl change shows as drift and as a runtime failure", () => {
    const report = webRuntime as unknown as RuntimeReport;
    expect(check("runtime-report", report)).toEqual([]);
    const drift = Object.fromEntries(detectDrift(hardened, report).map((r) => [r.controlId, r]));
    expect(drift["drift.sysctl"]).toMatchObject({
      status: "fail",
      observed: { differing: { "kernel.kptr_restrict": "0" } },
      expected: { "kernel.kptr_restrict": "2" },
    });
    for (const id of ["drift.generation", "drift.kernel-params", "drift.mounts"])
      expect(drift[id]?.status, id).toBe("pass");
    const runtime = Object.fromEntries(
      evaluateRuntime(report, catalog, hardened).map((r) => [r.controlId, r.status]),
    );
    expect(runtime["sysctl-kernel-hardening"]).toBe("fail");
    expect(
      Object.entries(runtime)
        .filter(([, s]) => s !== "pass")
        .map(([id]) => id),
    ).toEqual(["sysctl-kernel-hardening"]);
  });
});
