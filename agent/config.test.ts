import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SchemaValidationError } from "../schemas/registry.js";
import { AGENT_OPTIONS, loadAgentConfig } from "./config.js";

const dir = () => mkdtempSync(join(tmpdir(), "nixfleet-config-"));

describe("agent configuration", () => {
  it("reads YAML, applies defaults, and lets NIXFLEET_* and flags override in that order", () => {
    const d = dir();
    const file = join(d, "agent.yaml");
    writeFileSync(
      file,
      [
        "machineId: web-01",
        "controlPlaneUrl: http://127.0.0.1:8080/",
        "token: t",
        "pollIntervalMs: 5000",
        "outbox:",
        "  maxItems: 50",
        "",
      ].join("\n"),
    );
    const config = loadAgentConfig({
      file,
      env: { NIXFLEET_POLL_INTERVAL_MS: "7000", NIXFLEET_OUTBOX_BATCH_SIZE: "10", NIXFLEET_TAGS: "eu, prod" },
      flags: { pollIntervalMs: "9000" },
    });
    expect(config.pollIntervalMs).toBe(9000);
    expect(config.outbox).toEqual({ maxItems: 50, batchSize: 10 });
    expect(config.tags).toEqual(["eu", "prod"]);
    expect(config.controlPlaneUrl).toBe("http://127.0.0.1:8080");
    expect(config.profilePath).toBe("/nix/var/nix/profiles/system");
    expect(config.activationCommand).toEqual([
      "systemd-run",
      "--unit=nixfleet-switch",
      "--collect",
      "--",
      "{path}/bin/switch-to-configuration",
      "switch",
    ]);
  });

  it("reports the file and JSON path of a bad value", () => {
    const d = dir();
    const file = join(d, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({ machineId: "web-01", controlPlaneUrl: "http://x", jitter: 3, bogus: 1 }),
    );
    try {
      loadAgentConfig({ file });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaValidationError);
      const e = err as SchemaValidationError;
      expect(e.source).toBe(file);
      expect(e.issues.map((i) => i.path).sort()).toEqual(["/bogus", "/jitter"]);
    }
  });

  it("names the variable when an environment value is invalid", () => {
    expect(() =>
      loadAgentConfig({
        env: {
          NIXFLEET_MACHINE_ID: "m",
          NIXFLEET_CONTROL_PLANE_URL: "http://x",
          NIXFLEET_HEALTH_CHECKS: "[not json",
        },
      }),
    ).toThrow(/environment NIXFLEET_HEALTH_CHECKS: invalid agent-config: \/healthChecks is not valid JSON/);
  });

  it("requires a client identity for an https control plane", () => {
    expect(() => loadAgentConfig({ flags: { machineId: "m", controlPlaneUrl: "https://fleet" } })).toThrow(
      /\/tls is required/,
    );
  });

  it("spells every option as a flag and a variable", () => {
    const byKey = new Map(AGENT_OPTIONS.map((o) => [o.key, o]));
    expect(byKey.get("tls.cert")).toMatchObject({ flag: "--tls-cert", env: "NIXFLEET_TLS_CERT" });
    expect(byKey.get("outbox.maxItems")).toMatchObject({
      flag: "--outbox-max-items",
      env: "NIXFLEET_OUTBOX_MAX_ITEMS",
    });
    expect(byKey.get("controlPlaneUrl")).toMatchObject({
      flag: "--control-plane-url",
      env: "NIXFLEET_CONTROL_PLANE_URL",
    });
  });
});
