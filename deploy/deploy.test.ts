/** Unit tests for the pure parts of direct SSH mode: targets, quoting, profile parsing, host plans, the pool. */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeployInputError, flakeSource, inParallel, planHosts } from "./fleet.js";
import { overSsh } from "./health.js";
import { activationLine, DEFAULT_ACTIVATE, DEFAULT_PROFILE, parseProfileState } from "./host.js";
import { nixSshOpts, parseSshTarget, shellQuote, sshOptionArgs } from "./ssh.js";

describe("parseSshTarget", () => {
  it("reads user, host and an optional port", () => {
    expect(parseSshTarget("root@web-01")).toEqual({ user: "root", host: "web-01" });
    expect(parseSshTarget("deploy@10.0.0.5:2222")).toEqual({ user: "deploy", host: "10.0.0.5", port: 2222 });
    expect(parseSshTarget("root@[::1]:22")).toEqual({ user: "root", host: "[::1]", port: 22 });
  });
  it("explains what is wrong", () => {
    expect(parseSshTarget("web-01")).toBe('"web-01" is not USER@HOST');
    expect(parseSshTarget("root@host:70000")).toBe('port in "root@host:70000" is out of range');
    expect(parseSshTarget("root@host;rm -rf /")).toMatch(/is not a host name or address/);
    expect(parseSshTarget("-oProxyCommand=x@host")).toMatch(/is not a valid user name/);
  });
});

describe("shellQuote", () => {
  it("round-trips any string through a real POSIX shell", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !s.includes("\0")),
        (word) => {
          const echoed = execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(word)}`], {
            encoding: "utf8",
          });
          expect(echoed).toBe(word);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("ssh options", () => {
  const endpoint = {
    user: "root",
    host: "h",
    port: 2222,
    identity: "/k",
    knownHosts: "/kh",
    options: ["Compression=yes"],
  };
  it("are shared by ssh and NIX_SSHOPTS", () => {
    expect(sshOptionArgs(endpoint)).toEqual([
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      "-p",
      "2222",
      "-i",
      "/k",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "UserKnownHostsFile=/kh",
      "-o",
      "Compression=yes",
    ]);
    expect(nixSshOpts(endpoint)).toBe(sshOptionArgs(endpoint).join(" "));
  });
  it("refuse what NIX_SSHOPTS cannot carry", () => {
    expect(() => nixSshOpts({ ...endpoint, identity: "/my keys/id" })).toThrow(/whitespace/);
  });
});

describe("profile state and activation", () => {
  it("parses the generation from the profile link", () => {
    expect(parseProfileState("system-12-link\n/nix/store/abc-sys\n")).toEqual({
      generation: 12,
      storePath: "/nix/store/abc-sys",
    });
    expect(parseProfileState("")).toEqual({ generation: null, storePath: null });
  });
  it("puts the quoted store path into the activation line", () => {
    expect(activationLine(DEFAULT_ACTIVATE, "/nix/store/abc-sys")).toBe(
      "/nix/store/abc-sys/bin/switch-to-configuration switch",
    );
    expect(activationLine("{path}/activate && echo {path}", "/x y")).toBe("'/x y'/activate && echo '/x y'");
  });
});

describe("health checks over ssh", () => {
  const endpoint = { user: "root", host: "h", options: [] };
  it("runs command and systemd checks on the host, http and tcp from here", () => {
    const cmd = overSsh({ name: "c", kind: "command", command: ["test", "-e", "/a b"] }, endpoint);
    expect(cmd.command?.slice(0, 1)).toEqual(["ssh"]);
    expect(cmd.command?.at(-1)).toBe("test -e '/a b'");
    const unit = overSsh({ name: "u", kind: "systemd", unit: "sshd.service" }, endpoint);
    expect(unit).toMatchObject({ kind: "command", expectExit: 0 });
    expect(unit.command?.at(-1)).toBe("systemctl is-active sshd.service");
    const tcp = { name: "t", kind: "tcp" as const, host: "h", port: 22 };
    expect(overSsh(tcp, endpoint)).toBe(tcp);
  });
});

describe("planHosts", () => {
  const hostsFile = {
    defaults: { port: 2200, profile: "/p/default", identity: "/k" },
    hosts: [
      { ssh: "root@a", name: "web-a", path: "/nix/store/aaa" },
      { ssh: "root@b:2201", profile: "/p/b" },
    ],
  };
  it("applies precedence: host entry, command line, file defaults, built-ins", () => {
    const planned = planHosts(["ops@c"], hostsFile, { path: "/nix/store/common", profile: "/p/cli" }, true);
    expect(planned.map((p) => [p.plan.name, p.plan.endpoint.port, p.plan.profile, p.source])).toEqual([
      ["web-a", 2200, "/p/cli", { kind: "path", path: "/nix/store/aaa" }],
      ["b", 2201, "/p/b", { kind: "path", path: "/nix/store/common" }],
      ["c", 2200, "/p/cli", { kind: "path", path: "/nix/store/common" }],
    ]);
    expect(planHosts(["root@x"], null, {}, false)[0]!.plan).toMatchObject({
      profile: DEFAULT_PROFILE,
      activate: DEFAULT_ACTIVATE,
      healthChecks: [],
    });
  });
  it("names flake attributes after hosts unless REF#attr says otherwise", () => {
    expect(flakeSource(".", "web-a")).toEqual({ kind: "flake", flake: ".", attr: "web-a" });
    expect(flakeSource("github:o/r#db", "x")).toEqual({ kind: "flake", flake: "github:o/r", attr: "db" });
    expect(flakeSource("#db", "x")).toEqual({ kind: "flake", flake: ".", attr: "db" });
  });
  it("rejects duplicates, missing sources and no hosts", () => {
    expect(() => planHosts(["root@a", "ops@a"], null, { path: "/nix/store/x" }, true)).toThrow(
      /listed twice/,
    );
    expect(() => planHosts(["root@a"], null, {}, true)).toThrow(DeployInputError);
    expect(() => planHosts([], null, {}, false)).toThrow(/no hosts/);
  });
});

describe("inParallel", () => {
  it("keeps order and never exceeds the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 5 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          let inFlight = 0;
          let peak = 0;
          const out = await inParallel(delays, limit, async (d) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await new Promise((r) => setTimeout(r, d));
            inFlight--;
            return d * 2;
          });
          expect(out).toEqual(delays.map((d) => d * 2));
          expect(peak).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 30 },
    );
  });
});
