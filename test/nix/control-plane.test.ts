/**
 * services.nixfleet-control-plane: the server configuration it renders (validated with the TypeScript
 * server-config schema), the TLS files handed over as systemd credentials, the firewall, the hardened unit,
 * and the assertions; evaluated by real Nix through the module (stand-in module evaluator).
 */
import { describe, expect, it } from "vitest";
import { resolveServerConfig, ServerConfigError } from "../../api/server.js";
import type { ServerConfig } from "../../schemas/generated/server-config.js";
import { validate } from "../../schemas/registry.js";
import { evalJson, repoPath, withPrelude } from "./nix.js";

function controlPlaneHost(definitions: string): string {
  return withPrelude(`standinEval.evalModules {
    pkgs = standinPkgs;
    modules = [ ${repoPath("nix/modules/nixos/control-plane.nix")} (standinPkgs.hostBase "x86_64-linux") (${definitions}) ];
  }`);
}

interface Evaluated {
  serverJson: string;
  unit: { serviceConfig: Record<string, unknown>; wantedBy: string[] };
  ports: number[];
  failed: string[];
}

function evaluate(definitions: string): Evaluated {
  return evalJson<Evaluated>(`let e = ${controlPlaneHost(definitions)}; in {
    serverJson = e.config.environment.etc."nixfleet/server.json".text;
    unit = e.config.systemd.services.nixfleet-control-plane;
    ports = e.config.networking.firewall.allowedTCPPorts or [ ];
    failed = map (a: a.message) (builtins.filter (a: !a.assertion) e.config.assertions);
  }`);
}

const mtls = `{ services.nixfleet-control-plane = {
  enable = true;
  listen = { address = "::"; port = 8443; };
  tls = { cert = "/var/lib/secrets/nixfleet/server.crt"; key = "/var/lib/secrets/nixfleet/server.key"; };
  clientCa = "/var/lib/secrets/nixfleet/ca.crt";
  openFirewall = true;
  settings = { logLevel = "warn"; pollAfterMs = 15000; };
}; }`;

describe("control plane module", () => {
  it("renders a server configuration the server's schema accepts, with TLS files read from systemd credentials", () => {
    const { serverJson, unit, ports, failed } = evaluate(mtls);
    expect(failed).toEqual([]);
    const config = validate<ServerConfig>("server-config", JSON.parse(serverJson), "server.json");
    expect(config).toEqual({
      listen: "[::]:8443",
      db: "/var/lib/nixfleet-control-plane/nixfleet.db",
      tls: {
        cert: "/run/credentials/nixfleet-control-plane.service/tls-cert",
        key: "/run/credentials/nixfleet-control-plane.service/tls-key",
        clientCa: "/run/credentials/nixfleet-control-plane.service/client-ca",
      },
      logLevel: "warn",
      pollAfterMs: 15000,
    });
    expect(unit.serviceConfig.LoadCredential).toEqual([
      "client-ca:/var/lib/secrets/nixfleet/ca.crt",
      "tls-cert:/var/lib/secrets/nixfleet/server.crt",
      "tls-key:/var/lib/secrets/nixfleet/server.key",
    ]);
    expect(ports).toEqual([8443]);
    expect(unit.wantedBy).toEqual(["multi-user.target"]);
  });

  it("runs as a dynamic user in a strict sandbox, with a state directory and no capability", () => {
    const { serviceConfig } = evaluate(mtls).unit;
    expect(serviceConfig).toMatchObject({
      DynamicUser: true,
      StateDirectory: "nixfleet-control-plane",
      ProtectSystem: "strict",
      ProtectHome: true,
      PrivateTmp: true,
      NoNewPrivileges: true,
      PrivateUsers: true,
      CapabilityBoundingSet: [""],
      SystemCallArchitectures: "native",
      RestrictAddressFamilies: ["AF_UNIX", "AF_INET", "AF_INET6"],
    });
    expect(String(serviceConfig.ExecStart)).toMatch(/-nixfleet-0\.1\.0\/bin\/nixfleet server /);
  });

  it("grants CAP_NET_BIND_SERVICE, and only it, for a port below 1024", () => {
    const { serviceConfig } = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; listen.port = 443; tls = { cert = "/c"; key = "/k"; }; }; }`).unit;
    expect(serviceConfig.CapabilityBoundingSet).toEqual(["CAP_NET_BIND_SERVICE"]);
    expect(serviceConfig.AmbientCapabilities).toEqual(["CAP_NET_BIND_SERVICE"]);
    // PrivateUsers would make the capability useless in the host's network namespace.
    expect(serviceConfig.PrivateUsers).toBe(false);
  });

  it("opens no port unless asked, and renders loopback plain HTTP without complaint", () => {
    const { serverJson, ports, failed } = evaluate(
      `{ services.nixfleet-control-plane = { enable = true; listen.address = "127.0.0.1"; }; }`,
    );
    expect(ports).toEqual([]);
    expect(failed).toEqual([]);
    expect(validate<ServerConfig>("server-config", JSON.parse(serverJson))).toEqual({
      listen: "127.0.0.1:8443",
      db: "/var/lib/nixfleet-control-plane/nixfleet.db",
    });
  });

  it("says what to change for a database outside the state directory, plain HTTP on the network, a client CA without TLS and an unknown setting", () => {
    const { failed } = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; dbPath = "/srv/nixfleet.db"; clientCa = "/ca"; settings.port = 1;
    }; }`);
    expect(failed).toEqual([
      'services.nixfleet-control-plane.dbPath = "/srv/nixfleet.db" is outside /var/lib/nixfleet-control-plane, the only directory the service\'s dynamic user can write; use a path inside it, e.g. "/var/lib/nixfleet-control-plane/nixfleet.db".',
      "services.nixfleet-control-plane.clientCa is set but services.nixfleet-control-plane.tls is not: agents can only present client certificates over TLS; set services.nixfleet-control-plane.tls.{cert,key} too.",
      "services.nixfleet-control-plane: without services.nixfleet-control-plane.tls the API would speak plain HTTP on 0.0.0.0, which is not loopback; set services.nixfleet-control-plane.tls.{cert,key} (recommended), or listen on 127.0.0.1 behind a TLS proxy, or accept plain HTTP with services.nixfleet-control-plane.settings.insecureHttp = true.",
      expect.stringContaining(
        "services.nixfleet-control-plane.settings.port is not a key of the server configuration",
      ),
    ]);
  });

  it("judges plain HTTP exactly as the server does: what evaluation refuses, `nixfleet server` refuses at start", () => {
    const cases = [
      { listen: `address = "0.0.0.0";`, refused: true },
      { listen: `address = "0.0.0.0"; `, settings: "settings.insecureHttp = true;", refused: false },
      { listen: `address = "127.0.0.1";`, refused: false },
      { listen: `address = "::1";`, refused: false },
      { listen: `address = "::";`, refused: true },
    ];
    for (const { listen, settings, refused } of cases) {
      const { serverJson, failed } = evaluate(
        `{ services.nixfleet-control-plane = { enable = true; listen = { ${listen} }; ${settings ?? ""} }; }`,
      );
      const plainHttpAssertion = failed.some((m) => m.includes("would speak plain HTTP"));
      expect(plainHttpAssertion, listen).toBe(refused);
      const start = () => resolveServerConfig(JSON.parse(serverJson), "server.json");
      if (refused) expect(start, listen).toThrow(ServerConfigError);
      else expect(start, listen).not.toThrow();
    }
    // And the full mTLS configuration resolves.
    expect(resolveServerConfig(JSON.parse(evaluate(mtls).serverJson)).listen).toBe("[::]:8443");
  });

  it("renders agentListen, opens both ports, and the server starts its agent listener from that file", () => {
    const { serverJson, ports, failed, unit } = evaluate(`{ services.nixfleet-control-plane = {
      enable = true;
      listen = { address = "0.0.0.0"; port = 8443; };
      agentListen = { address = "10.0.0.5"; port = 8444; };
      tls = { cert = "/c"; key = "/k"; };
      clientCa = "/ca";
      openFirewall = true;
    }; }`);
    expect(failed).toEqual([]);
    const config = validate<ServerConfig>("server-config", JSON.parse(serverJson), "server.json");
    expect(config.listen).toBe("0.0.0.0:8443");
    expect(config.agentListen).toBe("10.0.0.5:8444");
    expect(resolveServerConfig(config, "server.json").agentListen).toBe("10.0.0.5:8444");
    expect(ports).toEqual([8443, 8444]);
    // IPv6 in brackets, as for listen; without openFirewall no port opens
    const v6 = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; agentListen = { address = "::"; port = 8444; };
      tls = { cert = "/c"; key = "/k"; }; clientCa = "/ca";
    }; }`);
    expect(JSON.parse(v6.serverJson).agentListen).toBe("[::]:8444");
    expect(v6.ports).toEqual([]);
    // an unprivileged pair of ports grants no capability
    expect(unit.serviceConfig.CapabilityBoundingSet).toEqual([""]);
  });

  it("grants CAP_NET_BIND_SERVICE when the agent port is below 1024", () => {
    const { serviceConfig } = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; listen.port = 8443; agentListen.port = 444;
      tls = { cert = "/c"; key = "/k"; }; clientCa = "/ca"; }; }`).unit;
    expect(serviceConfig.CapabilityBoundingSet).toEqual(["CAP_NET_BIND_SERVICE"]);
  });

  it("says what to change for agentListen without TLS and client CA, on the API's port, or with an address the schema refuses", () => {
    const noCa = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; listen.address = "127.0.0.1"; agentListen.port = 8444; tls = { cert = "/c"; key = "/k"; }; }; }`);
    expect(noCa.failed).toEqual([
      "services.nixfleet-control-plane.agentListen is set but services.nixfleet-control-plane.tls or services.nixfleet-control-plane.clientCa is not: the agent listener admits only clients whose certificate verifies against the client CA; set services.nixfleet-control-plane.tls.{cert,key} and services.nixfleet-control-plane.clientCa.",
    ]);
    // what evaluation refuses, the server refuses at start
    expect(() => resolveServerConfig(JSON.parse(noCa.serverJson), "server.json")).toThrow(ServerConfigError);
    const samePort = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; agentListen = { address = "0.0.0.0"; port = 8443; };
      tls = { cert = "/c"; key = "/k"; }; clientCa = "/ca"; }; }`);
    expect(samePort.failed).toEqual([
      "services.nixfleet-control-plane.agentListen.port = 8443 is also services.nixfleet-control-plane.listen.port: the agent listener needs a port of its own.",
    ]);
    expect(() => resolveServerConfig(JSON.parse(samePort.serverJson), "server.json")).toThrow(
      /port of its own/,
    );
    const badAddress = evaluate(`{ services.nixfleet-control-plane = {
      enable = true; agentListen = { address = "not an address"; port = 8444; };
      tls = { cert = "/c"; key = "/k"; }; clientCa = "/ca"; }; }`);
    expect(badAddress.failed).toEqual([
      expect.stringContaining(
        'services.nixfleet-control-plane.agentListen renders agentListen = "not an address:8444", which the server configuration schema refuses',
      ),
    ]);
    expect(() => validate("server-config", JSON.parse(badAddress.serverJson))).toThrow(/agentListen/);
  });
});
