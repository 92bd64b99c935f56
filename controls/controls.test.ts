/**
 * Every control, table-driven: a pass case and a fail case with assertions on status, observed and expected.
 * Pass cases start from the example hosts nix/facts.nix extracted from the Nix fixtures (web-01 hardened,
 * mac-01 nix-darwin); each fail case changes what a real misconfiguration changes.
 */
import { describe, expect, it } from "vitest";
import fleet from "../examples/fleet/fleet.json" with { type: "json" };
import { catalog, evaluateHost, getControl } from "./index.js";
import type { CheckOutcome, Facts } from "./types.js";

const hosts = fleet as unknown as Record<string, Facts>;

function facts(host: "web-01" | "mac-01" = "web-01"): Facts {
  return structuredClone(hosts[host]!);
}

function setAt(target: Facts, path: readonly string[], value: unknown): Facts {
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return target;
}

/** "a.b.\"c.d\"" → ["a", "b", "c.d"] */
function seg(path: string): string[] {
  return [...path.matchAll(/"([^"]*)"|([^.]+)/g)].map((m) => m[1] ?? m[2]!);
}

function set(path: string, value: unknown) {
  return (f: Facts) => setAt(f, seg(path), value);
}

interface Case {
  id: string;
  host?: "web-01" | "mac-01";
  /** Turns the passing host into a failing one. */
  breakIt: (f: Facts) => void;
  /** What the fail outcome must have observed (partial match). */
  observed: unknown;
  /** Whether the expected value is independent of the input (most controls). */
  expectedVaries?: boolean;
}

const cases: Case[] = [
  {
    id: "admin-accountability",
    breakIt: (f) => {
      set("security.sudo.extraConfig", "Defaults use_pty")(f);
      set("security.audit.rules", ["-w /etc/passwd -p wa"])(f);
    },
    observed: { sudoLogging: false, auditdExecveRule: false },
  },
  {
    id: "audit-rules-coverage",
    breakIt: set("security.audit.rules", ["-a exit,always -F arch=b64 -S execve"]),
    observed: { rules: 1, missing: expect.arrayContaining(["sudo configuration (/etc/sudoers)"]) },
  },
  {
    id: "auditd-enabled",
    breakIt: set("security.auditd.enable", false),
    observed: { "security.auditd.enable": false },
  },
  {
    id: "backups-configured",
    breakIt: set("services.restic.backups", {}),
    observed: { restic: [], borgbackup: [] },
  },
  {
    id: "boot-loader-protected",
    breakIt: set("boot.lanzaboote.settings.editor", true),
    observed: { loader: "lanzaboote", editor: true },
  },
  {
    id: "darwin-firewall-stealth",
    host: "mac-01",
    breakIt: (f) => {
      set("networking.applicationFirewall.enableStealthMode", false)(f);
      set("system.defaults.alf.stealthenabled", 0)(f);
    },
    observed: {
      "networking.applicationFirewall.enableStealthMode": false,
      "system.defaults.alf.stealthenabled": 0,
    },
  },
  {
    id: "darwin-guest-disabled",
    host: "mac-01",
    breakIt: set("system.defaults.loginwindow.GuestEnabled", true),
    observed: true,
  },
  {
    id: "darwin-screen-lock",
    host: "mac-01",
    breakIt: set("system.defaults.screensaver.askForPasswordDelay", 600),
    observed: { askForPassword: true, askForPasswordDelay: 600 },
  },
  {
    id: "disk-encryption",
    breakIt: set("boot.initrd.luks.devices", {}),
    observed: { luksDevices: [], zfsRequestEncryptionCredentials: null },
  },
  {
    id: "firewall-enabled",
    breakIt: set("networking.firewall.enable", false),
    observed: false,
  },
  {
    id: "firewall-listening-services",
    breakIt: set("networking.firewall.allowedTCPPorts", [22, 443, 6379]),
    observed: { tcp: [22, 443, 6379] },
  },
  {
    id: "ipv6-hardened",
    breakIt: set('boot.kernel.sysctl."net.ipv6.conf.all.accept_ra"', 1),
    observed: { "networking.enableIPv6": true, "net.ipv6.conf.all.accept_ra": 1 },
  },
  {
    id: "journald-persistent",
    breakIt: set("services.journald.storage", "volatile"),
    observed: "volatile",
  },
  {
    id: "journald-retention",
    breakIt: set("services.journald.extraConfig", "SystemMaxUse=4G\nMaxRetentionSec=2week\n"),
    observed: { SystemMaxUse: "4G", MaxRetentionSec: "2week" },
  },
  {
    id: "kernel-image-protected",
    breakIt: set("security.protectKernelImage", false),
    observed: false,
  },
  {
    id: "kernel-iommu",
    breakIt: (f) => setAt(f, ["boot", "kernelParams"], ["console=ttyS0,115200", "lockdown=integrity"]),
    observed: { iommu: null },
  },
  {
    id: "kernel-lockdown",
    breakIt: (f) => setAt(f, ["boot", "kernelParams"], ["iommu=force", "lockdown=none"]),
    observed: { lockdown: null },
  },
  {
    id: "kernel-memory-params",
    breakIt: (f) => setAt(f, ["boot", "kernelParams"], ["slab_nomerge", "pti=on", "init_on_free=1"]),
    observed: { slab_nomerge: "slab_nomerge", pti: "pti=on", "page_alloc.shuffle": null },
  },
  {
    id: "kernel-modules-locked",
    breakIt: set("security.lockKernelModules", undefined),
    observed: null,
  },
  {
    id: "log-remote-forwarding",
    breakIt: set("services.journald.upload.enable", false),
    observed: { forwarders: [] },
  },
  {
    id: "mac-apparmor",
    breakIt: set("security.apparmor.enable", false),
    observed: false,
  },
  {
    id: "mfa-pam",
    breakIt: set("security.pam.services.sudo.u2fAuth", false),
    observed: { sudoPamFactors: [], sshdPamFactors: [] },
  },
  {
    id: "mount-options",
    breakIt: set('fileSystems."/home".options', ["nodev"]),
    observed: { "/home": { options: ["nodev"], missing: ["nosuid", "noexec"] } },
  },
  {
    id: "nix-require-sigs",
    breakIt: set("nix.settings.substituters", ["https://cache.nixos.org/", "http://10.0.0.9:5000"]),
    observed: { "require-sigs": true, insecure: ["http://10.0.0.9:5000"] },
  },
  {
    id: "nix-trusted-users",
    breakIt: set("nix.settings.trusted-users", ["root", "ci"]),
    observed: { "trusted-users": ["root", "ci"] },
  },
  {
    id: "no-empty-passwords",
    breakIt: set("users.users.bob.hashedPasswordScheme", "empty"),
    observed: { usersWithEmptyPassword: ["bob"] },
  },
  {
    id: "no-plaintext-passwords",
    breakIt: set("users.users.alice.hasPlaintextPassword", true),
    observed: { usersWithPlaintextPassword: ["alice"] },
  },
  {
    id: "packages-minimal",
    breakIt: set("environment.systemPackages", ["vim", "gdb", "tcpdump"]),
    observed: { discouraged: ["gdb", "tcpdump"] },
  },
  {
    id: "password-hash-strong",
    breakIt: set("users.users.bob.hashedPasswordScheme", "md5crypt"),
    observed: { bob: "md5crypt", root: "locked" },
  },
  {
    id: "root-login-locked",
    breakIt: set("users.users.root.hashedPasswordScheme", "sha512crypt"),
    observed: { hashedPasswordScheme: "sha512crypt", hasPlaintextPassword: false },
  },
  {
    id: "secure-boot",
    breakIt: set("boot.lanzaboote.enable", false),
    observed: false,
  },
  {
    id: "service-sandboxing",
    breakIt: set("systemd.services.nginx.serviceConfig", { User: "root", ProtectSystem: "full" }),
    observed: { unsandboxed: { nginx: ["NoNewPrivileges", "PrivateTmp", "User (runs as root)"] } },
  },
  {
    id: "services-minimal",
    breakIt: set("services.avahi.enable", true),
    observed: { enabled: ["avahi"] },
  },
  {
    id: "setuid-wrappers-minimal",
    breakIt: set("security.wrappers.mtr-packet", {
      setuid: true,
      setgid: false,
      owner: "root",
      group: "root",
    }),
    observed: { beyondBaseline: ["mtr-packet"] },
  },
  {
    id: "ssh-idle-timeout",
    breakIt: set("services.openssh.settings.ClientAliveInterval", 0),
    observed: { ClientAliveInterval: 0 },
  },
  {
    id: "ssh-max-auth-tries",
    breakIt: set("services.openssh.settings.MaxAuthTries", 6),
    observed: 6,
  },
  {
    id: "ssh-no-kbd-interactive",
    breakIt: set("services.openssh.settings.KbdInteractiveAuthentication", true),
    observed: { KbdInteractiveAuthentication: true, AuthenticationMethods: null },
  },
  {
    id: "ssh-no-password-auth",
    breakIt: set("services.openssh.settings.PasswordAuthentication", true),
    observed: true,
  },
  {
    id: "ssh-no-root-login",
    breakIt: set("services.openssh.settings.PermitRootLogin", "prohibit-password"),
    observed: "prohibit-password",
  },
  {
    id: "ssh-no-x11-forwarding",
    breakIt: set("services.openssh.settings.X11Forwarding", true),
    observed: true,
  },
  {
    id: "ssh-strong-crypto",
    breakIt: set("services.openssh.settings.Macs", ["hmac-sha2-512-etm@openssh.com", "hmac-sha1"]),
    observed: { Macs: ["hmac-sha2-512-etm@openssh.com", "hmac-sha1"] },
  },
  {
    id: "sudo-defaults-hardened",
    breakIt: set("security.sudo.extraConfig", "Defaults use_pty, !env_reset\n"),
    observed: { defaults: ["use_pty", "!env_reset"] },
  },
  {
    id: "sudo-exec-wheel-only",
    breakIt: set("security.sudo.execWheelOnly", false),
    observed: { "security.sudo.execWheelOnly": false },
  },
  {
    id: "sudo-rules-restricted",
    breakIt: set("security.sudo.extraRules", [
      { groups: ["ops"], commands: [{ command: "ALL", options: ["NOPASSWD"] }] },
    ]),
    observed: { rules: 1, problems: ["rule 0: NOPASSWD on ALL"] },
  },
  {
    id: "sudo-wheel-password",
    breakIt: set("security.sudo.wheelNeedsPassword", false),
    observed: { "security.sudo.wheelNeedsPassword": false },
  },
  {
    id: "swap-encryption",
    breakIt: set("swapDevices", [{ device: "/dev/sda2" }]),
    observed: { swapDevices: 1, unencrypted: ["/dev/sda2"] },
  },
  {
    id: "sysctl-fs-protection",
    breakIt: set('boot.kernel.sysctl."fs.protected_regular"', 1),
    observed: { "fs.protected_regular": 1, "fs.protected_symlinks": true },
  },
  {
    id: "sysctl-kernel-hardening",
    breakIt: set('boot.kernel.sysctl."kernel.kptr_restrict"', 1),
    observed: { "kernel.kptr_restrict": 1, "kernel.dmesg_restrict": 1 },
  },
  {
    id: "sysctl-network-ipv4",
    breakIt: set('boot.kernel.sysctl."net.ipv4.ip_forward"', undefined),
    observed: { "net.ipv4.ip_forward": null, "net.ipv4.tcp_syncookies": 1 },
  },
  {
    id: "sysctl-yama-ptrace",
    breakIt: set('boot.kernel.sysctl."kernel.yama.ptrace_scope"', 0),
    observed: { "kernel.yama.ptrace_scope": 0 },
  },
  {
    id: "time-sync",
    breakIt: set("services.timesyncd.enable", false),
    observed: { enabled: [] },
  },
  {
    id: "tmp-on-tmpfs",
    breakIt: set('fileSystems."/tmp"', undefined),
    observed: {
      "boot.tmp.useTmpfs": false,
      "boot.tmp.cleanOnBoot": false,
      'fileSystems."/tmp".fsType': null,
    },
  },
  {
    id: "umask-restrictive",
    breakIt: set("security.loginDefs.settings.UMASK", "027"),
    observed: "027",
  },
  {
    id: "updates-lock-fresh",
    breakIt: set("nixfleet.meta.lockAgeDays", 45),
    observed: { lockAgeDays: 45, "system.autoUpgrade.enable": false },
  },
  {
    id: "updates-lock-fresh-essential",
    breakIt: set("nixfleet.meta.lockAgeDays", 20),
    observed: { lockAgeDays: 20 },
  },
  {
    id: "users-immutable",
    breakIt: set("users.mutableUsers", true),
    observed: true,
  },
];

function evalOne(id: string, f: Facts): CheckOutcome {
  const [result] = evaluateHost(f.nixfleet.meta.hostName, f, [getControl(id)!]);
  return {
    status: result!.status as CheckOutcome["status"],
    observed: result!.observed,
    expected: result!.expected,
    message: result!.message,
  };
}

describe("every control has a pass and a fail case", () => {
  it("the table covers the whole catalog", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(catalog.map((c) => c.id));
  });

  for (const c of cases) {
    it(c.id, () => {
      const good = evalOne(c.id, facts(c.host));
      expect(good.status, good.message).toBe("pass");
      expect(good.observed).not.toBeUndefined();
      expect(good.expected).not.toBeNull();

      const broken = facts(c.host);
      c.breakIt(broken);
      const bad = evalOne(c.id, broken);
      expect(bad.status, bad.message).toBe("fail");
      if (typeof c.observed === "object" && c.observed !== null)
        expect(bad.observed).toMatchObject(c.observed);
      else expect(bad.observed).toEqual(c.observed);
      if (!c.expectedVaries) expect(bad.expected).toEqual(good.expected);
      expect(bad.message.length).toBeGreaterThan(5);
    });
  }
});

describe("edge cases the table does not show", () => {
  it("ssh controls are not-applicable when sshd is off", () => {
    const f = setAt(facts(), ["services", "openssh", "enable"], false);
    for (const id of ["ssh-no-root-login", "ssh-no-password-auth", "ssh-strong-crypto", "ssh-idle-timeout"]) {
      expect(evalOne(id, f).status).toBe("not-applicable");
    }
  });

  it("keyboard-interactive as a second factor after a key passes, and then MFA over SSH counts", () => {
    const f = facts();
    setAt(f, ["services", "openssh", "settings", "KbdInteractiveAuthentication"], true);
    setAt(f, ["services", "openssh", "settings", "AuthenticationMethods"], "publickey,keyboard-interactive");
    setAt(f, ["security", "pam", "services", "sudo", "u2fAuth"], false);
    setAt(f, ["security", "pam", "services", "sshd", "googleAuthenticator", "enable"], true);
    expect(evalOne("ssh-no-kbd-interactive", f).status).toBe("pass");
    const mfa = evalOne("mfa-pam", f);
    expect(mfa.status).toBe("pass");
    expect(mfa.observed).toMatchObject({ sshdPamFactors: ["sshd: google-authenticator (TOTP)"] });
  });

  it("sshd options are read from extraConfig (nix-darwin), first value wins, Match blocks ignored", () => {
    const f = facts("mac-01");
    setAt(
      f,
      ["services", "openssh", "extraConfig"],
      "PermitRootLogin no\nPermitRootLogin yes\nMatch User x\n  PasswordAuthentication yes\n",
    );
    expect(evalOne("ssh-no-root-login", f).status).toBe("pass");
    expect(evalOne("ssh-no-password-auth", f).status).toBe("fail");
  });

  it("sudo-rs is read when enabled instead of sudo", () => {
    const f = facts();
    setAt(f, ["security", "sudo", "enable"], false);
    setAt(f, ["security", "sudo-rs"], { enable: true, wheelNeedsPassword: false, execWheelOnly: true });
    const r = evalOne("sudo-wheel-password", f);
    expect(r.status).toBe("fail");
    expect(r.observed).toEqual({ "security.sudo-rs.wheelNeedsPassword": false });
  });

  it("a GRUB host passes with a password-protected superuser", () => {
    const f = facts();
    setAt(f, ["boot", "lanzaboote", "enable"], false);
    setAt(f, ["boot", "loader", "grub"], { enable: true, users: { root: { hasPassword: true } } });
    expect(evalOne("boot-loader-protected", f)).toMatchObject({
      status: "pass",
      observed: { usersWithPassword: ["root"] },
    });
  });

  it("unknown lock age is an error, unless the host upgrades itself", () => {
    const f = setAt(facts(), ["nixfleet", "meta", "lockAgeDays"], undefined);
    expect(evalOne("updates-lock-fresh", f).status).toBe("error");
    setAt(f, ["system", "autoUpgrade", "enable"], true);
    expect(evalOne("updates-lock-fresh", f).status).toBe("pass");
  });

  it("workstations may carry development packages", () => {
    const f = setAt(facts(), ["nixfleet", "meta", "tags"], ["workstation"]);
    setAt(f, ["environment", "systemPackages"], ["gcc"]);
    expect(evalOne("packages-minimal", f).status).toBe("not-applicable");
  });

  it("raw NixOS password options in hand-written facts are detected without being echoed", () => {
    const f = facts();
    setAt(f, ["users", "users", "carol"], { isNormalUser: true, password: "hunter2" });
    const r = evalOne("no-plaintext-passwords", f);
    expect(r.status).toBe("fail");
    expect(JSON.stringify(r)).not.toContain("hunter2");
  });

  it("/tmp from boot.tmp.useTmpfs is tmpfs (tmp-on-tmpfs passes) but lacks noexec (mount-options fails)", () => {
    const f = facts();
    setAt(f, ["fileSystems", "/tmp"], undefined);
    setAt(f, ["boot", "tmp", "useTmpfs"], true);
    expect(evalOne("tmp-on-tmpfs", f).status).toBe("pass");
    const mounts = evalOne("mount-options", f);
    expect(mounts.status).toBe("fail");
    expect(mounts.observed).toMatchObject({ "/tmp": { via: "boot.tmp.useTmpfs", missing: ["noexec"] } });
  });

  it("journald retention parses systemd time spans", () => {
    const f = setAt(
      facts(),
      ["services", "journald", "extraConfig"],
      "SystemMaxUse=2G\nMaxRetentionSec=26w\n",
    );
    expect(evalOne("journald-retention", f).status).toBe("pass");
    setAt(f, ["services", "journald", "extraConfig"], "SystemMaxUse=2G\nMaxRetentionSec=forever\n");
    expect(evalOne("journald-retention", f).status).toBe("fail");
  });
});
