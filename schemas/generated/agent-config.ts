/* Generated from schemas/agent-config.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * Configuration of `nixfleet agent` (JSON or YAML file; every option also a flag or NIXFLEET_* variable). Rendered by the NixOS / nix-darwin agent module. Paths are absolute on a real host; defaults are the NixOS conventions.
 */
export interface AgentConfig {
/**
 * machine id as registered on the control plane (the CN/SAN of the agent certificate)
 */
machineId: string
/**
 * base URL of the control plane, e.g. https://fleet.example:8443 (the agent appends /api/v1/agents/...)
 */
controlPlaneUrl: string
/**
 * mTLS client identity from `nixfleet ca issue` (PEM files) and the CA that signed the control plane
 */
tls?: {
cert: string
key: string
ca: string
}
/**
 * bearer token with role agent (plain-HTTP loopback mode, or in addition to mTLS)
 */
token?: string
/**
 * file holding the bearer token (preferred over `token` so the secret stays out of the Nix store)
 */
tokenFile?: string
platform?: ("nixos" | "darwin")
/**
 * how generations are switched. nix: the system profile with nix-env and the platform's activation (every real host). simulated: generations are plain directories under simulatedStoreDir, the profile a chain of numbered links the agent writes itself, no Nix involved; only for the demo on machines without Nix (docs/adr/0850-simulated-driver.md). Never chosen automatically; the agent's runtime reports then carry driver: simulated
 */
driver?: ("nix" | "simulated")
/**
 * required with driver simulated, ignored otherwise: the directory standing for /nix/store (store path /nix/store/<name> is the directory <simulatedStoreDir>/<name>)
 */
simulatedStoreDir?: string
/**
 * the machine's tags, reported with every status report; the control plane makes them the machine's agent-declared tags (docs/adr/0820)
 * 
 * @maxItems 64
 */
tags?: string[]
/**
 * poll interval when the control plane gives no pollAfterMs hint
 */
pollIntervalMs?: number
/**
 * each wait is stretched or shrunk by up to this fraction, at random, so a fleet does not poll in step
 */
jitter?: number
backoffInitialMs?: number
backoffMaxMs?: number
requestTimeoutMs?: number
/**
 * on SIGTERM the agent finishes or abandons its current step within this time
 */
shutdownDeadlineMs?: number
/**
 * system profile switched with nix-env --set (default /nix/var/nix/profiles/system)
 */
profilePath?: string
/**
 * link the activation points at the running system (default /run/current-system)
 */
currentSystemLink?: string
/**
 * argv run to activate a generation; {path} is replaced by its store path. Default nixos: systemd-run --unit=nixfleet-switch --collect -- {path}/bin/switch-to-configuration switch; darwin: {path}/activate
 * 
 * @minItems 1
 */
activationCommand?: [string, ...(string)[]]
/**
 * argv to activate the previous generation on rollback; defaults to activationCommand
 * 
 * @minItems 1
 */
rollbackActivationCommand?: [string, ...(string)[]]
/**
 * limit for the activation command and for the current-system link to point at the target
 */
activationTimeoutMs?: number
/**
 * flock(1)-style lock held during a switch; the agent refuses to switch while another process holds it (default /run/nixfleet/switch.lock)
 */
switchLockPath?: string
/**
 * binary cache (file:// or http(s)://) to fetch missing store paths from with nix copy --from; the desired generation's cacheUrl wins when set
 */
cacheUrl?: (string | null)
/**
 * public keys (name:base64) that must have signed the fetched paths
 */
trustedPublicKeys?: string[]
/**
 * false passes --no-check-sigs to nix copy (only for caches you trust by transport)
 */
checkSignatures?: boolean
/**
 * root the runtime collectors read /proc from (tests point it at a fake tree)
 */
rootPath?: string
/**
 * directory of the agent's SQLite file (state machine + outbox); default /var/lib/nixfleet-agent
 */
stateDir?: string
outbox?: {
/**
 * bound of the on-disk outbox; the oldest items are dropped (and counted) beyond it
 */
maxItems?: number
batchSize?: number
}
/**
 * how often runtime reports are collected and queued
 */
reportIntervalMs?: number
/**
 * sysctl keys to report (dotted); absent: every readable key under <rootPath>/proc/sys
 */
sysctlKeys?: string[]
/**
 * checks run after every switch, in addition to those of the desired generation
 */
healthChecks?: HealthCheck[]
/**
 * limit for all health checks together
 */
healthTimeoutMs?: number
/**
 * time from the switch to a confirmation accepted by the control plane; past it the agent rolls back
 */
confirmWindowMs?: number
/**
 * what to do when no check failed but one could not run (status error)
 */
onInconclusive?: ("rollback" | "confirm")
logLevel?: ("debug" | "info" | "warn" | "error" | "silent")
}
/**
 * A health check the agent runs after switching a generation.
 */
export interface HealthCheck {
name: string
kind: ("systemd" | "launchd" | "http" | "tcp" | "command")
/**
 * systemd unit (kind systemd)
 */
unit?: string
/**
 * launchd job label (kind launchd)
 */
label?: string
/**
 * URL (kind http)
 */
url?: string
expectStatus?: number
/**
 * regular expression the body must match (kind http)
 */
bodyMatch?: string
insecureTls?: boolean
caFile?: string
/**
 * host (kind tcp)
 */
host?: string
port?: number
/**
 * argv (kind command)
 * 
 * @minItems 1
 */
command?: [string, ...(string)[]]
expectExit?: number
timeoutMs?: number
intervalMs?: number
retries?: number
initialDelayMs?: number
/**
 * consecutive failures that fail the check
 */
failureThreshold?: number
}

export const agentConfigSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/agent-config.schema.json",
  "title": "AgentConfig",
  "description": "Configuration of `nixfleet agent` (JSON or YAML file; every option also a flag or NIXFLEET_* variable). Rendered by the NixOS / nix-darwin agent module. Paths are absolute on a real host; defaults are the NixOS conventions.",
  "type": "object",
  "required": [
    "machineId",
    "controlPlaneUrl"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
      "description": "machine id as registered on the control plane (the CN/SAN of the agent certificate)"
    },
    "controlPlaneUrl": {
      "type": "string",
      "pattern": "^https?://",
      "description": "base URL of the control plane, e.g. https://fleet.example:8443 (the agent appends /api/v1/agents/...)"
    },
    "tls": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "cert",
        "key",
        "ca"
      ],
      "description": "mTLS client identity from `nixfleet ca issue` (PEM files) and the CA that signed the control plane",
      "properties": {
        "cert": {
          "type": "string",
          "minLength": 1
        },
        "key": {
          "type": "string",
          "minLength": 1
        },
        "ca": {
          "type": "string",
          "minLength": 1
        }
      }
    },
    "token": {
      "type": "string",
      "minLength": 1,
      "description": "bearer token with role agent (plain-HTTP loopback mode, or in addition to mTLS)"
    },
    "tokenFile": {
      "type": "string",
      "minLength": 1,
      "description": "file holding the bearer token (preferred over `token` so the secret stays out of the Nix store)"
    },
    "platform": {
      "type": "string",
      "enum": [
        "nixos",
        "darwin"
      ],
      "default": "nixos"
    },
    "driver": {
      "type": "string",
      "enum": [
        "nix",
        "simulated"
      ],
      "default": "nix",
      "description": "how generations are switched. nix: the system profile with nix-env and the platform's activation (every real host). simulated: generations are plain directories under simulatedStoreDir, the profile a chain of numbered links the agent writes itself, no Nix involved; only for the demo on machines without Nix (docs/adr/0850-simulated-driver.md). Never chosen automatically; the agent's runtime reports then carry driver: simulated"
    },
    "simulatedStoreDir": {
      "type": "string",
      "minLength": 1,
      "description": "required with driver simulated, ignored otherwise: the directory standing for /nix/store (store path /nix/store/<name> is the directory <simulatedStoreDir>/<name>)"
    },
    "tags": {
      "type": "array",
      "maxItems": 64,
      "items": {
        "type": "string",
        "maxLength": 64,
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$"
      },
      "description": "the machine's tags, reported with every status report; the control plane makes them the machine's agent-declared tags (docs/adr/0820)"
    },
    "pollIntervalMs": {
      "type": "integer",
      "minimum": 100,
      "default": 30000,
      "description": "poll interval when the control plane gives no pollAfterMs hint"
    },
    "jitter": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.1,
      "description": "each wait is stretched or shrunk by up to this fraction, at random, so a fleet does not poll in step"
    },
    "backoffInitialMs": {
      "type": "integer",
      "minimum": 1,
      "default": 1000
    },
    "backoffMaxMs": {
      "type": "integer",
      "minimum": 1,
      "default": 300000
    },
    "requestTimeoutMs": {
      "type": "integer",
      "minimum": 1,
      "default": 15000
    },
    "shutdownDeadlineMs": {
      "type": "integer",
      "minimum": 1,
      "default": 10000,
      "description": "on SIGTERM the agent finishes or abandons its current step within this time"
    },
    "profilePath": {
      "type": "string",
      "minLength": 1,
      "description": "system profile switched with nix-env --set (default /nix/var/nix/profiles/system)"
    },
    "currentSystemLink": {
      "type": "string",
      "minLength": 1,
      "description": "link the activation points at the running system (default /run/current-system)"
    },
    "activationCommand": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "string"
      },
      "description": "argv run to activate a generation; {path} is replaced by its store path. Default nixos: systemd-run --unit=nixfleet-switch --collect -- {path}/bin/switch-to-configuration switch; darwin: {path}/activate"
    },
    "rollbackActivationCommand": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "string"
      },
      "description": "argv to activate the previous generation on rollback; defaults to activationCommand"
    },
    "activationTimeoutMs": {
      "type": "integer",
      "minimum": 1,
      "default": 600000,
      "description": "limit for the activation command and for the current-system link to point at the target"
    },
    "switchLockPath": {
      "type": "string",
      "minLength": 1,
      "description": "flock(1)-style lock held during a switch; the agent refuses to switch while another process holds it (default /run/nixfleet/switch.lock)"
    },
    "cacheUrl": {
      "type": [
        "string",
        "null"
      ],
      "description": "binary cache (file:// or http(s)://) to fetch missing store paths from with nix copy --from; the desired generation's cacheUrl wins when set"
    },
    "trustedPublicKeys": {
      "type": "array",
      "items": {
        "type": "string",
        "minLength": 1
      },
      "description": "public keys (name:base64) that must have signed the fetched paths"
    },
    "checkSignatures": {
      "type": "boolean",
      "default": true,
      "description": "false passes --no-check-sigs to nix copy (only for caches you trust by transport)"
    },
    "rootPath": {
      "type": "string",
      "minLength": 1,
      "default": "/",
      "description": "root the runtime collectors read /proc from (tests point it at a fake tree)"
    },
    "stateDir": {
      "type": "string",
      "minLength": 1,
      "description": "directory of the agent's SQLite file (state machine + outbox); default /var/lib/nixfleet-agent"
    },
    "outbox": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "maxItems": {
          "type": "integer",
          "minimum": 1,
          "default": 10000,
          "description": "bound of the on-disk outbox; the oldest items are dropped (and counted) beyond it"
        },
        "batchSize": {
          "type": "integer",
          "minimum": 1,
          "maximum": 5000,
          "default": 200
        }
      }
    },
    "reportIntervalMs": {
      "type": "integer",
      "minimum": 1000,
      "default": 300000,
      "description": "how often runtime reports are collected and queued"
    },
    "sysctlKeys": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "sysctl keys to report (dotted); absent: every readable key under <rootPath>/proc/sys"
    },
    "healthChecks": {
      "type": "array",
      "items": {
        "$ref": "health-check.schema.json"
      },
      "description": "checks run after every switch, in addition to those of the desired generation"
    },
    "healthTimeoutMs": {
      "type": "integer",
      "minimum": 1,
      "default": 300000,
      "description": "limit for all health checks together"
    },
    "confirmWindowMs": {
      "type": "integer",
      "minimum": 1,
      "default": 600000,
      "description": "time from the switch to a confirmation accepted by the control plane; past it the agent rolls back"
    },
    "onInconclusive": {
      "type": "string",
      "enum": [
        "rollback",
        "confirm"
      ],
      "default": "rollback",
      "description": "what to do when no check failed but one could not run (status error)"
    },
    "logLevel": {
      "type": "string",
      "enum": [
        "debug",
        "info",
        "warn",
        "error",
        "silent"
      ],
      "default": "info"
    }
  }
} as const;
