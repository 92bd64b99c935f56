/**
 * nix/facts.nix with the real nix-instantiate: the config fixtures (shaped like evaluated NixOS / nix-darwin
 * configurations) → facts → schema validation → the control catalog. Also checks that the committed example
 * facts are exactly what facts.nix produces, and that no secret from the fixtures reaches the facts.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { catalog, evaluateHost, getPath, withLockAge } from "../../controls/index.js";
import type { Facts } from "../../controls/types.js";
import { check } from "../../schemas/registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Tests may run through plain `npx vitest`: give nix the same settings scripts/nix-env.sh gives it.
const env = {
  ...process.env,
  NIX_CONFIG:
    process.env.NIX_CONFIG ??
    "sandbox = false\nbuild-users-group =\nexperimental-features = nix-command flakes\n",
};

function nixEval(expression: string): unknown {
  const out = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expression], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out);
}

function nixEvalError(expression: string): string {
  try {
    nixEval(expression);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error("evaluation unexpectedly succeeded");
}

function fixtureFacts(name: string): Facts {
  return nixEval(
    `let f = import ./nix/tests/fixtures/${name}.nix; in import ./nix/facts.nix { inherit (f) config meta; }`,
  ) as Facts;
}

const fixtures = ["hardened", "insecure", "minimal", "darwin", "database"] as const;
const facts = Object.fromEntries(fixtures.map((name) => [name, fixtureFacts(name)])) as Record<
  (typeof fixtures)[number],
  Facts
>;

function statuses(f: Facts): Record<string, string> {
  return Object.fromEntries(
    evaluateHost(f.nixfleet.meta.hostName, f, catalog).map((r) => [r.controlId, r.status]),
  );
}

describe("nix/facts.nix on the fixtures", () => {
  it("parses", () => {
    execFileSync("nix-instantiate", ["--parse", "nix/facts.nix"], { cwd: root, env, stdio: "pipe" });
  });

  for (const name of fixtures) {
    it(`${name}: output validates against schemas/facts.schema.json`, () => {
      expect(check("facts", facts[name])).toEqual([]);
    });
  }

  it("keeps NixOS's nesting and option names, with dotted sysctl keys as single attributes", () => {
    const f = facts.hardened;
    expect(getPath(f, "services.openssh.settings.PermitRootLogin")).toBe("no");
    expect(getPath(f, 'boot.kernel.sysctl."kernel.kptr_restrict"')).toBe(2);
    expect(getPath(f, "networking.firewall.enable")).toBe(true);
    expect(getPath(f, 'fileSystems."/home".options')).toEqual(["nosuid", "nodev", "noexec"]);
    expect(getPath(f, "environment.systemPackages")).toEqual(["vim", "git", "htop"]);
    expect(f.nixfleet.meta).toEqual({
      hostName: "web-01",
      system: "x86_64-linux",
      platform: "nixos",
      nixosVersion: "24.11.20241120.2b4230b",
      toplevel: "/nix/store/8q0n6d2w4m5cwx1sd8fz2j7r3ybbdf1a-nixos-system-web-01-24.11.20241120.2b4230b",
      flakeRevision: "3f2c0d5e9a1b7c4d6e8f0a2b4c6d8e0f1a3b5c7d",
      lockAgeDays: 6,
      tags: ["production", "web"],
      collectedAt: "2026-11-25T12:00:00Z",
    });
    // null means "unset" in NixOS and is dropped
    expect(getPath(f, "boot.kernel.sysctl")).not.toHaveProperty("vm.swappiness");
    expect(getPath(f, "services.openssh.settings")).not.toHaveProperty("AllowUsers");
    expect(getPath(f, "nixfleet.compliance")).toEqual({
      frameworks: ["nis2", "anssi-bp028", "iso27001"],
      anssiLevel: "enhanced",
      nis2Entity: "essential",
      exceptions: [],
    });
  });

  it("never copies secrets: passwords, hashes, repository credentials, substituter userinfo", () => {
    const hardenedText = JSON.stringify(facts.hardened);
    const insecureText = JSON.stringify(facts.insecure);
    for (const secret of [
      "SECRET-",
      "toor",
      "changeme",
      "hunter2",
      "$1$saltsalt",
      "$y$j9T",
      "/run/secrets/restic",
    ])
      expect(hardenedText + insecureText).not.toContain(secret);
    const users = (facts.insecure.users as { users: Record<string, Record<string, unknown>> }).users;
    expect(users.root).toMatchObject({ hasPlaintextPassword: true, hashedPasswordScheme: "locked" });
    expect(users.alice).toMatchObject({ hasPlaintextPassword: true, hashedPasswordScheme: null });
    expect(users.bob).toMatchObject({ hasPlaintextPassword: false, hashedPasswordScheme: "md5crypt" });
    expect(users.kiosk).toMatchObject({ hashedPasswordScheme: "empty" });
    for (const user of Object.values(users)) {
      for (const key of [
        "password",
        "initialPassword",
        "hashedPassword",
        "initialHashedPassword",
        "hashedPasswordFile",
      ])
        expect(user).not.toHaveProperty(key);
    }
    expect((facts.insecure.nix as { settings: { substituters: string[] } }).settings.substituters).toEqual([
      "https://cache.nixos.org/",
      "http://cache.internal:5000",
      "https://private-cache.example.org",
    ]);
    expect((facts.hardened.services as { restic: { backups: unknown } }).restic.backups).toEqual({
      daily: { paths: ["/var/lib", "/home"], timerConfig: { OnCalendar: "daily", Persistent: true } },
    });
  });

  it("is robust to a partial config: a throwing option is left out, absent options are not invented", () => {
    const f = facts.minimal;
    expect(getPath(f, "security.sudo")).toEqual({ enable: true });
    expect(getPath(f, "networking")).toEqual({ hostName: "fresh" });
    // a member whose definition throws is left out; a unit whose serviceConfig throws keeps the rest
    expect(Object.keys(getPath(f, "users.users") as object)).toEqual(["root"]);
    expect(getPath(f, "systemd.services")).toEqual({ "half-defined": { enable: true, serviceConfig: {} } });
    expect(f.nixfleet.meta).toEqual({
      hostName: "fresh",
      system: "aarch64-linux",
      platform: "nixos",
      tags: [],
    });
  });

  it("the committed examples are exactly what facts.nix produces", () => {
    const read = (file: string) => JSON.parse(readFileSync(join(root, "examples", "fleet", file), "utf8"));
    expect(read("hardened.json")).toEqual(facts.hardened);
    expect(read("insecure.json")).toEqual(facts.insecure);
    expect(read("fleet.json")).toEqual({
      "web-01": facts.hardened,
      "legacy-01": facts.insecure,
      "db-01": facts.database,
      "mac-01": facts.darwin,
    });
  });
});

describe("meta", () => {
  const base = `let f = import ./nix/tests/fixtures/minimal.nix; in import ./nix/facts.nix`;

  it("computes lockAgeDays from lockLastModified and evaluatedAt", () => {
    const f = nixEval(
      `${base} { inherit (f) config; meta = { lockLastModified = 1700000000; evaluatedAt = 1700000000 + 10 * 86400 + 3600; }; }`,
    ) as Facts;
    expect(f.nixfleet.meta.lockAgeDays).toBe(10);
  });

  it("passes lockLastModified through when no evaluation time is known, for the checker to age", () => {
    const f = nixEval(`${base} { inherit (f) config; meta.lockLastModified = 1700000000; }`) as Facts;
    expect(f.nixfleet.meta.lockLastModified).toBe(1700000000);
    expect(f.nixfleet.meta.lockAgeDays).toBeUndefined();
    expect(withLockAge(f, new Date((1700000000 + 40 * 86400) * 1000)).nixfleet.meta.lockAgeDays).toBe(40);
  });

  it("reads the toplevel store path only when asked (the /etc facts file would recurse)", () => {
    const cfg = `f.config // { system.build.toplevel = derivation { name = "nixos-system-fresh"; system = "x86_64-linux"; builder = "/bin/sh"; }; }`;
    const off = nixEval(`${base} { config = ${cfg}; }`) as Facts;
    expect(off.nixfleet.meta.toplevel).toBeUndefined();
    const on = nixEval(`${base} { config = ${cfg}; meta.includeToplevel = true; }`) as Facts;
    expect(on.nixfleet.meta.toplevel).toMatch(/^\/nix\/store\/[0-9a-z]{32}-nixos-system-fresh$/);
    expect(check("facts", on)).toEqual([]);
  });

  it("says what to pass when the host name or system is unknown", () => {
    expect(nixEvalError(`import ./nix/facts.nix { config = { nixpkgs.system = "x86_64-linux"; }; }`)).toMatch(
      /networking.hostName is empty; pass meta.hostName/,
    );
    expect(nixEvalError(`import ./nix/facts.nix { config = { networking.hostName = "x"; }; }`)).toMatch(
      /pass meta.system/,
    );
  });
});

describe("the catalog on real facts", () => {
  it("hardened: every applicable control passes", () => {
    const failing = Object.entries(statuses(facts.hardened)).filter(
      ([, s]) => s !== "pass" && s !== "not-applicable",
    );
    expect(failing).toEqual([]);
    const notApplicable = Object.entries(statuses(facts.hardened))
      .filter(([, s]) => s === "not-applicable")
      .map(([id]) => id);
    expect(notApplicable).toEqual(["darwin-firewall-stealth", "darwin-guest-disabled", "darwin-screen-lock"]);
  });

  it("insecure: fails what a NixOS security engineer expects", () => {
    const s = statuses(facts.insecure);
    const expectedFailures = [
      "ssh-no-root-login",
      "ssh-no-password-auth",
      "ssh-no-kbd-interactive",
      "ssh-no-x11-forwarding",
      "ssh-max-auth-tries",
      "ssh-strong-crypto",
      "firewall-enabled",
      "firewall-listening-services",
      "no-plaintext-passwords",
      "no-empty-passwords",
      "password-hash-strong",
      "root-login-locked",
      "users-immutable",
      "sudo-wheel-password",
      "sudo-exec-wheel-only",
      "sudo-rules-restricted",
      "setuid-wrappers-minimal",
      "nix-require-sigs",
      "nix-trusted-users",
      "updates-lock-fresh",
      "disk-encryption",
      "swap-encryption",
      "sysctl-kernel-hardening",
      "sysctl-yama-ptrace",
      "sysctl-network-ipv4",
      "mount-options",
      "services-minimal",
      "packages-minimal",
      "service-sandboxing",
      "journald-persistent",
      "auditd-enabled",
      "time-sync",
      "backups-configured",
      "mfa-pam",
      "boot-loader-protected",
      "umask-restrictive",
      "mac-apparmor",
    ];
    for (const id of expectedFailures) expect(s[id], id).toBe("fail");
    expect(Object.values(s).filter((v) => v === "pass")).toEqual([]);
  });

  it("database: hardened except the PostgreSQL port opened to all (waived in examples/policy.json)", () => {
    const failing = Object.entries(statuses(facts.database))
      .filter(([, v]) => v === "fail")
      .map(([id]) => id);
    expect(failing).toEqual(["firewall-listening-services"]);
    const policy = JSON.parse(readFileSync(join(root, "examples", "policy.json"), "utf8"));
    expect(check("policy", policy)).toEqual([]);
    expect(policy.waivers[0]).toMatchObject({ controlId: "firewall-listening-services", hosts: ["db-01"] });
  });

  it("darwin: NixOS-only controls are not-applicable, the darwin ones pass", () => {
    const s = statuses(facts.darwin);
    expect(facts.darwin.nixfleet.meta.platform).toBe("darwin");
    for (const control of catalog) {
      if (!control.platforms.includes("darwin")) expect(s[control.id], control.id).toBe("not-applicable");
      else expect(s[control.id], control.id).toBe("pass");
    }
  });

  it("minimal: evaluates without throwing; an unknown lock age is an error, not a pass", () => {
    const results = evaluateHost("fresh", facts.minimal, catalog);
    for (const r of results) expect(check("control-result", r)).toEqual([]);
    expect(results.filter((r) => r.message.startsWith("check failed"))).toEqual([]);
    expect(statuses(facts.minimal)["updates-lock-fresh"]).toBe("error");
    expect(statuses(facts.minimal)["firewall-enabled"]).toBe("fail");
  });
});
