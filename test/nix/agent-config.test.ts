/**
 * The agent's configuration file as the NixOS and nix-darwin modules render it: evaluated by real Nix through
 * the flake's mkHost and the modules themselves (stand-in module evaluator, no nixpkgs), then validated with
 * the TypeScript schema registry and loaded by the agent's own configuration loader.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.js";
import type { AgentConfig } from "../../schemas/generated/agent-config.js";
import { SchemaValidationError, validate } from "../../schemas/registry.js";
import { evalFailure, evalJson, nixString, withPrelude } from "./nix.js";

interface Assertion {
  assertion: boolean;
  message: string;
}

/** A host built with the flake's lib.mkHost and the given host module, evaluated with the stand-ins. */
function hostExpression(platform: string, hostModule: string): string {
  return withPrelude(`let
    recorded = flakeOutputs.lib.mkHost {
      hostName = "web-1"; platform = "${platform}"; nixpkgs = recordingNixpkgs;
      hostSpec.tags = [ "canary" "web" ];
      modules = [ (standinPkgs.hostBase "${platform}") (${hostModule}) ];
    };
    evaluated = standinEval.evalModules { pkgs = standinPkgs; modules = recorded.args.modules; };
  in evaluated`);
}

function renderedAgentConfig(platform: string, hostModule: string): unknown {
  const text = evalJson<string>(
    `(${hostExpression(platform, hostModule)}).config.environment.etc."nixfleet/agent.json".text`,
  );
  return JSON.parse(text);
}

function assertionMessages(platform: string, hostModule: string): string[] {
  const assertions = evalJson<Assertion[]>(`(${hostExpression(platform, hostModule)}).config.assertions`);
  return assertions.filter((a) => !a.assertion).map((a) => a.message);
}

const fullAgent = (stateDir: string, tokenFile: string) => `{
  services.nixfleet-agent = {
    enable = true;
    controlPlaneUrl = "https://fleet.example.org:8443";
    pollInterval = 15;
    confirmWindow = 120;
    cacheUrl = "https://cache.example.org";
    cachePublicKeys = [ "cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
    tls = { cert = "/var/lib/nixfleet-agent/tls/agent.crt"; key = "/var/lib/nixfleet-agent/tls/agent.key"; ca = "/var/lib/nixfleet-agent/tls/ca.crt"; };
    tokenFile = ${nixString(tokenFile)};
    stateDir = ${nixString(stateDir)};
    logLevel = "warn";
    healthChecks = [
      { name = "sshd"; kind = "systemd"; unit = "sshd.service"; }
      { name = "web"; kind = "http"; url = "http://127.0.0.1:8080/health"; expectStatus = 204; bodyMatch = "ok"; timeoutMs = 2000; }
      { name = "db"; kind = "tcp"; host = "127.0.0.1"; port = 5432; retries = 5; }
      { name = "disk"; kind = "command"; command = [ "/run/current-system/sw/bin/test" "-w" "/var" ]; expectExit = 0; }
    ];
    settings = { jitter = 0.2; onInconclusive = "confirm"; };
  };
}`;

describe("agent configuration rendered by the NixOS module", () => {
  it("renders a minimal agent with defaults from mkHost (machine id = host name, tags = hostSpec.tags)", () => {
    const rendered = renderedAgentConfig(
      "x86_64-linux",
      `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://fleet.example.org:8443"; tokenFile = "/run/keys/agent-token"; }; }`,
    );
    const config = validate<AgentConfig>("agent-config", rendered, "agent.json");
    expect(config).toEqual({
      machineId: "web-1",
      controlPlaneUrl: "https://fleet.example.org:8443",
      platform: "nixos",
      tags: ["canary", "web"],
      pollIntervalMs: 30_000,
      confirmWindowMs: 600_000,
      trustedPublicKeys: [],
      tokenFile: "/run/keys/agent-token",
      stateDir: "/var/lib/nixfleet-agent",
      logLevel: "info",
      healthChecks: [],
    });
  });

  it("renders every option, passes the schema, and the agent's own loader accepts the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nixfleet-agent-config-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "agent-token-web-1\n");
    const rendered = renderedAgentConfig("x86_64-linux", fullAgent(join(dir, "state"), tokenFile));
    validate<AgentConfig>("agent-config", rendered, "agent.json");
    expect(rendered).toMatchObject({
      pollIntervalMs: 15_000,
      confirmWindowMs: 120_000,
      cacheUrl: "https://cache.example.org",
      tls: { cert: "/var/lib/nixfleet-agent/tls/agent.crt", key: "/var/lib/nixfleet-agent/tls/agent.key" },
      jitter: 0.2,
      onInconclusive: "confirm",
      logLevel: "warn",
    });
    // Unset health-check fields are left out so the agent's defaults apply.
    expect((rendered as AgentConfig).healthChecks).toEqual([
      { name: "sshd", kind: "systemd", unit: "sshd.service" },
      {
        name: "web",
        kind: "http",
        url: "http://127.0.0.1:8080/health",
        expectStatus: 204,
        bodyMatch: "ok",
        timeoutMs: 2000,
      },
      { name: "db", kind: "tcp", host: "127.0.0.1", port: 5432, retries: 5 },
      {
        name: "disk",
        kind: "command",
        command: ["/run/current-system/sw/bin/test", "-w", "/var"],
        expectExit: 0,
      },
    ]);

    const file = join(dir, "agent.json");
    writeFileSync(file, JSON.stringify(rendered));
    const loaded = loadAgentConfig({ file, env: {}, flags: {} });
    expect(loaded.machineId).toBe("web-1");
    expect(loaded.token).toBe("agent-token-web-1");
    expect(loaded.pollIntervalMs).toBe(15_000);
    expect(loaded.healthChecks).toHaveLength(4);
    expect(loaded.platform).toBe("nixos");
  });

  it("the schema check is not vacuous: a value the agent refuses is caught by the same validation", () => {
    const rendered = renderedAgentConfig(
      "x86_64-linux",
      `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp:8443"; tokenFile = "/t"; settings.pollIntervalMs = 5; }; }`,
    );
    expect(() => validate("agent-config", rendered, "agent.json")).toThrow(SchemaValidationError);
    expect(() => validate("agent-config", rendered, "agent.json")).toThrow(/\/pollIntervalMs/);
  });

  it("writes no agent.json and no unit while the agent is disabled", () => {
    const etc = evalJson<Record<string, unknown>>(
      `(${hostExpression("x86_64-linux", "{ }")}).config.environment.etc or { }`,
    );
    expect(Object.keys(etc)).not.toContain("nixfleet/agent.json");
  });

  it("turns every configuration mistake into an assertion that says what to change", () => {
    const messages = assertionMessages(
      "x86_64-linux",
      `{ services.nixfleet-agent = {
        enable = true; machineId = "web 1"; controlPlaneUrl = "fleet.example.org";
        tags = [ "canary" "${"x".repeat(65)}" "blue green" ];
        settings.pollEvery = 3;
        healthChecks = [
          { name = "web"; kind = "http"; }
          { name = "web"; kind = "launchd"; label = "org.nixos.x"; }
          { name = "db"; kind = "tcp"; host = "db"; }
        ];
      }; }`,
    );
    expect(messages).toEqual([
      expect.stringContaining('services.nixfleet-agent.machineId = "web 1" is not a valid machine id'),
      expect.stringContaining("must be an http:// or https:// URL of the control plane"),
      `services.nixfleet-agent.tags: "${"x".repeat(65)}" is longer than 64 characters; shorten it.`,
      'services.nixfleet-agent.tags: "blue green" is not a tag (letters, digits and . _ : = / -, starting with a letter or digit); rename it.',
      expect.stringContaining("the agent has no credentials; set services.nixfleet-agent.tls.{cert,key,ca}"),
      expect.stringContaining(
        "services.nixfleet-agent.settings.pollEvery is not a key of the agent configuration",
      ),
      'services.nixfleet-agent.healthChecks has more than one check named "web"; give each check its own name.',
      'services.nixfleet-agent.healthChecks.0 ("web") is of kind http and needs `url`; set it or change `kind`.',
      expect.stringContaining('healthChecks.1 ("web") is of kind launchd, which does not exist on nixos'),
      'services.nixfleet-agent.healthChecks.2 ("db") is of kind tcp and needs `port`; set it or change `kind`.',
    ]);
    const failure = evalFailure(
      `(${hostExpression("x86_64-linux", `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp"; }; }`)}).assertionsChecked`,
    );
    expect(failure).toContain("Failed assertions:");
    expect(failure).toContain("- services.nixfleet-agent: the agent has no credentials");
  });

  it("rejects an option the module does not declare and a value of the wrong type", () => {
    expect(
      evalFailure(
        `(${hostExpression("x86_64-linux", `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp"; pollIntervall = 3; }; }`)}).config.services.nixfleet-agent`,
      ),
    ).toContain("The option `services.nixfleet-agent.pollIntervall' does not exist.");
    expect(
      evalFailure(
        `(${hostExpression("x86_64-linux", `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp"; healthChecks = [ { name = "x"; kind = "ping"; } ]; }; }`)}).config.services.nixfleet-agent`,
      ),
    ).toContain(
      "A definition for option `services.nixfleet-agent.healthChecks.[0].kind' is not of type `one of",
    );
  });
});

describe("systemd unit of the agent", () => {
  interface Unit {
    restartIfChanged: boolean;
    environment: Record<string, string>;
    serviceConfig: Record<string, unknown>;
  }
  const unit = (hostModule: string) =>
    evalJson<Unit>(`(${hostExpression("x86_64-linux", hostModule)}).config.systemd.services.nixfleet-agent`);
  const enabled = `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp:8443"; tokenFile = "/t"; }; }`;

  it("is sandboxed, with write access only where switching a profile and keeping state need it", () => {
    const { serviceConfig, environment, restartIfChanged } = unit(enabled);
    expect(serviceConfig).toMatchObject({
      ExecStart:
        "/nix/store/00000000000000000000000000000000-nixfleet-0.1.0/bin/nixfleet agent --config /etc/nixfleet/agent.json",
      NoNewPrivileges: true,
      ProtectSystem: "strict",
      ReadWritePaths: ["/nix/var/nix/profiles", "/var/lib/nixfleet-agent"],
      PrivateTmp: true,
      ProtectHome: true,
      SystemCallArchitectures: "native",
      RestrictAddressFamilies: ["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"],
      CapabilityBoundingSet: [""],
      StateDirectory: "nixfleet-agent",
      RuntimeDirectory: "nixfleet",
    });
    // Node's JIT needs W+X memory; turning this on would crash the agent.
    expect(serviceConfig.MemoryDenyWriteExecute).toBe(false);
    expect(environment.NIX_REMOTE).toBe("daemon");
    // Restarting the agent during the switch it drives would roll that switch back.
    expect(restartIfChanged).toBe(false);
  });

  it("every hardening setting is a default the host can override with a plain definition", () => {
    const { serviceConfig } = unit(`{
      imports = [ (${enabled}) ];
      systemd.services.nixfleet-agent.serviceConfig.ProtectHome = "read-only";
    }`);
    expect(serviceConfig.ProtectHome).toBe("read-only");
    expect(serviceConfig.ProtectSystem).toBe("strict");
  });
});

describe("launchd daemon of the nix-darwin agent", () => {
  it("renders the same configuration with platform darwin and runs it under launchd", () => {
    const evaluated = hostExpression(
      "aarch64-darwin",
      `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp:8443"; tokenFile = "/t";
          healthChecks = [ { name = "sshd"; kind = "launchd"; label = "com.openssh.sshd"; } ]; }; }`,
    );
    const result = evalJson<{
      text: string;
      daemon: { serviceConfig: Record<string, unknown> };
      failed: Assertion[];
    }>(
      `let e = ${evaluated}; in {
        text = e.config.environment.etc."nixfleet/agent.json".text;
        daemon = e.config.launchd.daemons.nixfleet-agent;
        failed = builtins.filter (a: !a.assertion) e.config.assertions;
      }`,
    );
    expect(result.failed).toEqual([]);
    const config = validate<AgentConfig>("agent-config", JSON.parse(result.text), "agent.json");
    expect(config.platform).toBe("darwin");
    expect(config.healthChecks).toEqual([{ name: "sshd", kind: "launchd", label: "com.openssh.sshd" }]);
    expect(result.daemon.serviceConfig).toMatchObject({
      ProgramArguments: [
        "/nix/store/00000000000000000000000000000000-nixfleet-0.1.0/bin/nixfleet",
        "agent",
        "--config",
        "/etc/nixfleet/agent.json",
      ],
      RunAtLoad: true,
      KeepAlive: true,
    });
  });

  it("refuses a systemd health check on macOS", () => {
    const messages = evalJson<Assertion[]>(
      `(${hostExpression(
        "x86_64-darwin",
        `{ services.nixfleet-agent = { enable = true; controlPlaneUrl = "https://cp"; tokenFile = "/t";
            healthChecks = [ { name = "sshd"; kind = "systemd"; unit = "sshd.service"; } ]; }; }`,
      )}).config.assertions`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      'services.nixfleet-agent.healthChecks.0 ("sshd") is of kind systemd, which does not exist on darwin; use one of launchd, http, tcp, command.',
    ]);
  });
});
